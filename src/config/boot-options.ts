import { ConfigValidationError } from './config.errors';
import type { Env } from './env.schema';
import { loadDotEnvFile, parseEnv, processEnv } from './load-env';

export const APP_MODES = ['api', 'worker', 'all'] as const;
export type AppMode = (typeof APP_MODES)[number];

/** What main.ts needs to decide before the Nest application exists. */
export interface BootOptions {
  mode: AppMode;
  env: Env;
}

/** `--mode=api`, `--mode api`, else APP_MODE, else `all`. */
export function resolveMode(argv: readonly string[], env: Env): AppMode {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    let value: string | undefined;
    if (arg.startsWith('--mode=')) value = arg.slice('--mode='.length);
    else if (arg === '--mode') value = argv[i + 1];
    if (value !== undefined) {
      if ((APP_MODES as readonly string[]).includes(value)) return value as AppMode;
      throw new ConfigValidationError(
        '--mode',
        `must be one of ${APP_MODES.join(', ')} (got ${JSON.stringify(value)})`,
      );
    }
  }
  return env.APP_MODE;
}

export function loadBootOptions(argv: readonly string[] = process.argv.slice(2)): BootOptions {
  loadDotEnvFile();
  const env = parseEnv(processEnv());
  return { env, mode: resolveMode(argv, env) };
}
