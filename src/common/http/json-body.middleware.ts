import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { json } from 'body-parser';
import { parse as parseContentType } from 'content-type';
import type { NextFunction, Request, Response } from 'express';
import { appConfig } from '../../config';
import {
  AppError,
  UnsupportedCharsetError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../errors';

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
/**
 * Deepest nesting a body may have. No request of ours needs more than 2 levels; a deeper one
 * would only drive the recursive walks of validation (ValidationPipe, class-transformer) into a
 * stack overflow.
 */
export const MAX_BODY_DEPTH = 32;

/**
 * Parses JSON bodies up to MAX_BODY_BYTES, in UTF-8 only (RFC 8259 §8.1: JSON between systems
 * is UTF-8). It runs as a Nest middleware (not a bare Express one) so that malformed JSON,
 * oversized bodies and wrong content types or charsets reach the global exception filter and
 * answer in the error envelope.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  private readonly parse: ReturnType<typeof json>;

  constructor(@Inject(appConfig.KEY) app: ConfigType<typeof appConfig>) {
    this.parse = json({ limit: app.maxBodyBytes, strict: true, type: () => true });
  }

  use(req: Request, res: Response, next: NextFunction): Promise<void> | void {
    if (!BODY_METHODS.has(req.method) || !hasBody(req)) return next();
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
      if (deeperThan(req.body, MAX_BODY_DEPTH)) {
        throw new ValidationError([
          {
            field: 'body',
            message: `the body must not be nested more than ${MAX_BODY_DEPTH} levels deep`,
          },
        ]);
      }
      next();
    });
  }
}

/** Whether `value` nests objects or arrays more than `limit` levels deep (iterative: no recursion). */
function deeperThan(value: unknown, limit: number): boolean {
  const stack: { node: unknown; depth: number }[] = [{ node: value, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(node)) stack.push({ node: child, depth: depth + 1 });
  }
  return false;
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
