import { createHash } from 'node:crypto';

/** The stable, non-reversible id a key is stored and scoped by: a short SHA-256 of the key. */
export function apiKeyId(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}
