import { existsSync } from 'node:fs';
import { ConfigValidationError } from './config.errors';
import { type Env, envSchema } from './env.schema';

export type RawEnv = Record<string, string | undefined>;

/** The process environment. The only place outside this folder that sees it is nothing. */
export function processEnv(): RawEnv {
  return process.env;
}

/**
 * Loads `.env` from the working directory into the process environment (variables already set
 * win), as the original design's `cp .env.example .env` workflow expects. Skipped under jest.
 */
export function loadDotEnvFile(path = '.env'): void {
  if (process.env.JEST_WORKER_ID !== undefined) return;
  if (existsSync(path)) process.loadEnvFile(path);
}

/**
 * Parses and validates the environment. Empty strings count as unset, so `KEY=` lines in a .env
 * file fall back to defaults. Throws ConfigValidationError naming the first bad variable.
 */
export function parseEnv(raw: RawEnv = processEnv()): Env {
  const cleaned: RawEnv = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value !== undefined && value.trim() !== '') cleaned[key] = value;
  }
  const result = envSchema.safeParse(cleaned);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const variable = String(issue.path[0] ?? 'environment');
  const value = cleaned[variable];
  const shown = value === undefined ? 'it is not set' : `got ${JSON.stringify(clip(value))}`;
  throw new ConfigValidationError(variable, `${issue.message} (${shown})`);
}

function clip(value: string): string {
  return value.length > 40 ? `${value.slice(0, 37)}...` : value;
}
