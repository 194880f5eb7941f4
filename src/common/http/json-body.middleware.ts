import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { json } from 'body-parser';
import type { NextFunction, Request, Response } from 'express';
import { appConfig } from '../../config';
import { UnsupportedMediaTypeError } from '../errors';

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Parses JSON bodies up to MAX_BODY_BYTES. It runs as a Nest middleware (not a bare Express one)
 * so that malformed JSON, oversized bodies and wrong content types reach the global exception
 * filter and answer in the error envelope.
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
    return new Promise<void>((resolve, reject) => {
      this.parse(req, res, (err?: unknown) => (err ? reject(asError(err)) : resolve()));
    }).then(() => next());
  }
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** body-parser passes http-errors instances; anything else is wrapped so the filter sees an Error. */
function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
