import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { toErrorEnvelope } from './error-envelope';

/** The one place errors become HTTP responses. */
@Catch()
export class AppExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const mapped = toErrorEnvelope(exception, req.method, req.path);
    if (mapped.unexpected) {
      this.logger.error(
        { err: exception, method: req.method, route: req.path },
        'Unhandled error while serving a request',
      );
    }
    if (res.headersSent) {
      // A streaming response (SSE) already started: the status can no longer change.
      res.end();
      return;
    }
    res.status(mapped.status).json(mapped.body);
  }
}
