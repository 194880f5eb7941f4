import { ENV_SCHEMA, type Env, type EnvName, SECRET_VARIABLES } from './env.schema';

/**
 * The sanitized settings snapshot logged once at start-up: every setting, with secrets masked
 * and credentials stripped from connection URLs, so misconfiguration can be debugged from logs.
 */
export function settingsSnapshot(env: Env): Record<string, unknown> {
  const snapshot: Record<string, unknown> = {};
  for (const name of Object.keys(ENV_SCHEMA) as EnvName[]) {
    const value: unknown = env[name];
    if (SECRET_VARIABLES.has(name)) snapshot[name] = maskSecret(value);
    else if (typeof value === 'string' && /^[a-z+]+:\/\//i.test(value))
      snapshot[name] = stripCredentials(value);
    else snapshot[name] = value ?? null;
  }
  return snapshot;
}

function maskSecret(value: unknown): string {
  if (value === undefined) return '<unset>';
  if (Array.isArray(value)) return `<${value.length} set>`;
  return '<set>';
}

export function stripCredentials(value: string): string {
  try {
    const url = new URL(value);
    if (url.username || url.password) {
      url.username = url.username ? '***' : '';
      url.password = url.password ? '***' : '';
    }
    return url.toString();
  } catch {
    return '<unparseable>';
  }
}
