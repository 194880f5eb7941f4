import type { Telemetry } from 'bullmq';
import { BullMQOtel } from 'bullmq-otel';

let telemetry: BullMQOtel | undefined;

/**
 * BullMQ's own OpenTelemetry support (bullmq-otel), given to every queue and worker as their
 * `telemetry` option. An add is a PRODUCER span (`add <queue>.<job>`) under the active span and
 * stores its W3C context in the job; the worker's attempt is a CONSUMER span (`process <queue>`)
 * under it, active while the processor runs, so the worker's spans and log lines continue the
 * trace of the request that enqueued the job. While tracing is off the OpenTelemetry API is a
 * no-op and so is this. One instance, made on first use (after main.ts started the SDK).
 */
export function queueTelemetry(): Telemetry {
  telemetry ??= new BullMQOtel({ tracerName: 'bullmq' });
  return telemetry;
}
