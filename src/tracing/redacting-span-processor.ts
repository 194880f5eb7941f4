import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { redactUrl } from '../logging/redact';

/** The attributes instrumentations put a request URL in (NestJS: `url.full` = originalUrl). */
const URL_ATTRIBUTES = ['url.full', 'http.url', 'http.target'];

/**
 * Blanks credentials in query strings (`?api_key=`: EventSource cannot send headers) out of the
 * URL attributes of every span as it starts, whichever instrumentation set them, before any
 * exporter sees it. The HTTP instrumentation redacts its own `url.query` (instrumentations.ts).
 */
export class RedactingSpanProcessor implements SpanProcessor {
  onStart(span: Span, _parentContext: Context): void {
    for (const key of URL_ATTRIBUTES) {
      const value = span.attributes[key];
      if (typeof value === 'string' && value.includes('?'))
        span.setAttribute(key, redactUrl(value));
    }
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
