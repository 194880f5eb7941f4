import {
  type Context,
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import type { IncomingHttpHeaders } from 'node:http';
import { tracer } from './spans';
import { tracingEnabled } from './tracing';

export interface HttpServerSpan {
  /** The context to run the rest of the request in, with this span active. */
  context: Context;
  end(statusCode: number, route: string): void;
}

/**
 * The SERVER span of one HTTP request, continuing the caller's trace when it sent a
 * `traceparent`. Undefined while tracing is off. The path is recorded without its query string,
 * which may carry an API key (the SSE stream accepts one there).
 */
export function startHttpServerSpan(req: {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}): HttpServerSpan | undefined {
  if (!tracingEnabled()) return undefined;
  const parent = propagation.extract(context.active(), req.headers);
  const span = tracer().startSpan(
    req.method,
    {
      kind: SpanKind.SERVER,
      attributes: { [ATTR_HTTP_REQUEST_METHOD]: req.method, [ATTR_URL_PATH]: req.path },
    },
    parent,
  );
  return {
    context: trace.setSpan(parent, span),
    end: (statusCode, route) => {
      span.updateName(`${req.method} ${route}`);
      span.setAttribute(ATTR_HTTP_ROUTE, route);
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, statusCode);
      if (statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
}
