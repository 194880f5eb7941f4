import type { NextFunction, Request, Response } from 'express';
import { codeForStatus } from '../common/http/error-envelope';

/** What Bull Board's API answers on an error: `{"error":{"key":"ERRORS.QUEUE_NOT_FOUND"}}`. */
interface BoardError {
  error?: { key?: unknown; options?: unknown } | string;
}

/**
 * Puts the dashboard API's error answers into the service's envelope, so that every error of
 * this server reads the same: `{"error":{"code","message"}}`. The board's own translation `key`
 * (and its `options`) stay inside `error`, because the dashboard's page reads them to show the
 * error in the user's language. A 5xx says nothing of the internal error that caused it.
 */
export function dashboardErrorEnvelope(_req: Request, res: Response, next: NextFunction): void {
  const json = res.json.bind(res);
  // Express's res.send(object) goes through res.json too, so both answer paths are covered.
  res.json = (body: unknown) => json(res.statusCode >= 400 ? envelope(res.statusCode, body) : body);
  next();
}

function envelope(status: number, body: unknown): unknown {
  const error = (body as BoardError | null)?.error;
  if (typeof error === 'object' && error !== null && 'code' in error) return body; // ours already
  const key = typeof error === 'object' && typeof error?.key === 'string' ? error.key : undefined;
  const options = typeof error === 'object' ? error?.options : undefined;
  return {
    error: {
      code: codeForStatus(status),
      message:
        status >= 500 && key === undefined
          ? 'An unexpected error occurred.'
          : sentenceOf(key ?? (typeof error === 'string' ? error : 'ERRORS.REQUEST_FAILED')),
      ...(key === undefined ? {} : { key }),
      ...(options === undefined ? {} : { options }),
    },
  };
}

/** `ERRORS.QUEUE_NOT_FOUND` → `Queue not found.` */
function sentenceOf(key: string): string {
  const words = key
    .replace(/^ERRORS\./, '')
    .replace(/_/g, ' ')
    .toLowerCase()
    .trim();
  if (!/^[a-z0-9 ]+$/.test(words)) return key;
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}.`;
}
