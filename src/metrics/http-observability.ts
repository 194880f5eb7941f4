import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import { AppMetrics } from './app-metrics';
import { expressRoutes, RouteTemplates } from '../common/http/route-templates';

/**
 * The first middleware of the HTTP stack: it times every request, labels it by its route
 * template and counts it once when the response finishes (or the client goes away). Being
 * first, it also sees requests that a later middleware refuses before routing, and the 404s of
 * unknown paths. (Its trace span is the HTTP instrumentation's, tracing/instrumentations.ts.)
 */
export function httpObservability(metrics: AppMetrics, templates: RouteTemplates): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const method = req.method;
    const path = req.path;
    let recorded = false;
    const record = (): void => {
      if (recorded) return;
      recorded = true;
      const endpoint = endpointLabel(routeTemplateOf(req) ?? templates.resolve(method, path));
      metrics.httpRequests.inc({ method, endpoint, status_code: String(res.statusCode) });
      // An SSE stream is open for as long as the task runs: its lifetime is no request latency.
      if (!isEventStream(res)) {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        metrics.httpDuration.observe({ method, endpoint }, seconds);
      }
    };
    res.once('finish', record);
    res.once('close', record);
    next();
  };
}

/** The README's (and the OpenAPI document's) form of a route: `/v1/tasks/{task_id}`. */
export function endpointLabel(template: string): string {
  return template.replace(/:(\w+)/g, '{$1}');
}

function isEventStream(res: Response): boolean {
  return String(res.getHeader('content-type') ?? '').startsWith('text/event-stream');
}

/**
 * Express sets `req.route` once a route matched; its path is the template (`/v1/tasks/:task_id`).
 * Nest registers some middleware as wildcard routes too (`/{*path}`): those are no template.
 */
function routeTemplateOf(req: Request): string | undefined {
  const route = (req as { route?: { path?: unknown } }).route;
  return typeof route?.path === 'string' && !route.path.includes('*') ? route.path : undefined;
}

/** Installs the middleware ahead of everything Nest registers (call before init / listen). */
export function installHttpObservability(app: NestExpressApplication): void {
  const express: Express = app.getHttpAdapter().getInstance();
  const templates = new RouteTemplates(() => expressRoutes(express));
  app.use(httpObservability(app.get(AppMetrics), templates));
}
