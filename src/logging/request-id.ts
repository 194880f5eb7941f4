import { randomUUID } from 'node:crypto';

/** A caller's id is kept when it is a printable token of at most 128 characters. */
const ACCEPTABLE_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

export function resolveRequestId(incoming: string | string[] | undefined): string {
  const value = Array.isArray(incoming) ? incoming[0] : incoming;
  return value !== undefined && ACCEPTABLE_REQUEST_ID.test(value) ? value : randomUUID();
}
