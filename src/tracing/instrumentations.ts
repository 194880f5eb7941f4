import type { IncomingMessage } from 'node:http';
import {
  getNodeAutoInstrumentations,
  type InstrumentationConfigMap,
} from '@opentelemetry/auto-instrumentations-node';
import { ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { SECRET_QUERY_PARAM_NAMES } from '../logging/redact';

type InstrumentationName = keyof InstrumentationConfigMap;

/**
 * Which of the ecosystem's instrumentations run: the libraries this service uses, nothing else
 * (dns, net and fs would add a span per lookup, socket and file; `openai` would repeat our own
 * `llm.chat` span over the HTTP span undici already records). Typed over every name the
 * package knows, so an upgrade that adds one fails to compile until it is decided here.
 */
const ENABLED: Record<InstrumentationName, boolean> = {
  '@opentelemetry/instrumentation-http': true,
  '@opentelemetry/instrumentation-express': true,
  '@opentelemetry/instrumentation-nestjs-core': true,
  '@opentelemetry/instrumentation-mongodb': true,
  '@opentelemetry/instrumentation-mongoose': true,
  '@opentelemetry/instrumentation-ioredis': true,
  '@opentelemetry/instrumentation-undici': true,
  '@opentelemetry/instrumentation-pino': true,
  '@opentelemetry/instrumentation-amqplib': false,
  '@opentelemetry/instrumentation-aws-lambda': false,
  '@opentelemetry/instrumentation-aws-sdk': false,
  '@opentelemetry/instrumentation-bunyan': false,
  '@opentelemetry/instrumentation-cassandra-driver': false,
  '@opentelemetry/instrumentation-connect': false,
  '@opentelemetry/instrumentation-cucumber': false,
  '@opentelemetry/instrumentation-dataloader': false,
  '@opentelemetry/instrumentation-dns': false,
  '@opentelemetry/instrumentation-fs': false,
  '@opentelemetry/instrumentation-generic-pool': false,
  '@opentelemetry/instrumentation-graphql': false,
  '@opentelemetry/instrumentation-grpc': false,
  '@opentelemetry/instrumentation-hapi': false,
  '@opentelemetry/instrumentation-host-metrics': false,
  '@opentelemetry/instrumentation-kafkajs': false,
  '@opentelemetry/instrumentation-knex': false,
  '@opentelemetry/instrumentation-koa': false,
  '@opentelemetry/instrumentation-lru-memoizer': false,
  '@opentelemetry/instrumentation-memcached': false,
  '@opentelemetry/instrumentation-mysql': false,
  '@opentelemetry/instrumentation-mysql2': false,
  '@opentelemetry/instrumentation-net': false,
  '@opentelemetry/instrumentation-openai': false,
  '@opentelemetry/instrumentation-oracledb': false,
  '@opentelemetry/instrumentation-pg': false,
  '@opentelemetry/instrumentation-redis': false,
  '@opentelemetry/instrumentation-restify': false,
  '@opentelemetry/instrumentation-router': false,
  '@opentelemetry/instrumentation-runtime-node': false,
  '@opentelemetry/instrumentation-socket.io': false,
  '@opentelemetry/instrumentation-tedious': false,
  '@opentelemetry/instrumentation-winston': false,
};

/** Probes and scrapes: frequent, and of no interest in a trace. */
const UNTRACED_PATHS = /^\/(health|metrics)(\/|$|\?)/;

/** How the enabled ones are set up. */
const SETTINGS: InstrumentationConfigMap = {
  '@opentelemetry/instrumentation-http': {
    ignoreIncomingRequestHook: (req: IncomingMessage) => UNTRACED_PATHS.test(req.url ?? ''),
    // The SSE stream accepts the API key in the query string: it never reaches a span.
    redactedQueryParamsServer: SECRET_QUERY_PARAM_NAMES,
    // Outgoing calls outside a trace (none today) would each start a trace of their own.
    requireParentforOutgoingSpans: true,
  },
  // Nest's global middleware would add a span each to every request; routes and handlers stay.
  '@opentelemetry/instrumentation-express': {
    ignoreLayersType: [ExpressLayerType.MIDDLEWARE],
  },
  // Queue polling, event-stream followers, reconciler and health checks run outside any
  // request or job: only commands made on behalf of one are traced.
  '@opentelemetry/instrumentation-ioredis': { requireParentSpan: true },
  '@opentelemetry/instrumentation-mongodb': { requireParentSpan: true },
  '@opentelemetry/instrumentation-undici': { requireParentforSpans: true },
  // trace_id / span_id / trace_flags on every log line written inside a span; the logs
  // themselves stay on stdout.
  '@opentelemetry/instrumentation-pino': { disableLogSending: true },
};

export function serviceInstrumentations(): ReturnType<typeof getNodeAutoInstrumentations> {
  const config: InstrumentationConfigMap = {};
  for (const [name, enabled] of Object.entries(ENABLED) as [InstrumentationName, boolean][]) {
    config[name] = { ...(SETTINGS[name] ?? {}), enabled } as never;
  }
  return getNodeAutoInstrumentations(config);
}
