import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Express, Request, Response } from 'express';
import { toErrorEnvelope } from './error-envelope';
import { expressRoutes, RouteTemplates } from './route-templates';

/** The one place errors become HTTP responses. */
@Catch()
export class AppExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');
  private readonly routes: RouteTemplates;

  constructor(adapterHost: HttpAdapterHost) {
    // Read on the first unmatched request, when every route is registered.
    this.routes = new RouteTemplates(() =>
      expressRoutes(adapterHost.httpAdapter.getInstance<Express>()),
    );
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const mapped = toErrorEnvelope(exception, req.method, req.path, (path) =>
      this.routes.allowedMethods(path),
    );
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
    for (const [name, value] of Object.entries(mapped.headers ?? {})) res.setHeader(name, value);
    res.status(mapped.status).json(mapped.body);
  }
}
