import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { json } from 'body-parser';
import { parse as parseContentType } from 'content-type';
import type { NextFunction, Request, Response } from 'express';
import { appConfig } from '../../config';
import {
  AppError,
  PayloadTooLargeError,
  UnsupportedCharsetError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../errors';
import { inputProblems } from './input-checks';

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
/**
 * Parses JSON bodies up to MAX_BODY_BYTES, in UTF-8 only (RFC 8259 §8.1: JSON between systems
 * is UTF-8), and refuses what JSON.parse lets through but no route can take (see
 * inputProblems: `1e999`, `__proto__`, deep nesting) with 422 before any handler runs. It runs
 * as a Nest middleware (not a bare Express one) so that malformed JSON, oversized bodies and
 * wrong content types or charsets reach the global exception filter and answer in the envelope.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  private readonly parse: ReturnType<typeof json>;
  private readonly limit: number;

  constructor(@Inject(appConfig.KEY) app: ConfigType<typeof appConfig>) {
    this.limit = app.maxBodyBytes;
    this.parse = json({ limit: app.maxBodyBytes, strict: true, type: () => true });
  }

  use(req: Request, res: Response, next: NextFunction): Promise<void> | void {
    if (!BODY_METHODS.has(req.method) || !hasBody(req)) return next();
    if (declaredLength(req) > this.limit) {
      // Refused on the header, at once: body-parser would first wait for the whole declared
      // body. The unread rest of the body makes the connection unusable, so it is closed.
      res.setHeader('Connection', 'close');
      throw new PayloadTooLargeError(this.limit);
    }
    const contentType = req.headers['content-type'];
    if (!contentType || !JSON_TYPE.test(contentType))
      throw new UnsupportedMediaTypeError(contentType);
    // Read with body-parser's own parser, so the charset refused here is the one it would decode.
    const charset = parseContentType(contentType).parameters.charset;
    if (charset !== undefined && charset.toLowerCase() !== 'utf-8') {
      throw new UnsupportedCharsetError(charset);
    }
    return new Promise<void>((resolve, reject) => {
      this.parse(req, res, (err?: unknown) => (err ? reject(asError(err)) : resolve()));
    }).then(() => {
      const problems = inputProblems(req.body, 'body');
      if (problems.length > 0) throw new ValidationError(problems);
      next();
    });
  }
}

/** The Content-Length header as a number (0 when absent; Node refuses a malformed one). */
function declaredLength(req: Request): number {
  const length = Number(req.headers['content-length'] ?? 0);
  return Number.isFinite(length) ? length : 0;
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * body-parser passes http-errors instances with a `type`, except for a body it could not
 * decompress (a Content-Encoding that does not match the bytes): that one is the client's 400
 * too. Anything else is wrapped so the filter sees an Error.
 */
function asError(err: unknown): Error {
  const status = (err as { status?: unknown } | null)?.status;
  const typed = typeof (err as { type?: unknown } | null)?.type === 'string';
  if (!typed && typeof status === 'number' && status >= 400 && status < 500) {
    return new AppError('BAD_REQUEST', 'The request body could not be decoded.', { cause: err });
  }
  return err instanceof Error ? err : new Error(String(err));
}
