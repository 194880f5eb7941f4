import type { QueueOptions, WorkerOptions } from 'bullmq';
import type { RedisConnections } from '../redis/redis-connections';
import { queueTelemetry } from '../tracing/queue-telemetry';

/*
 * The one place that builds BullMQ options: every queue and every worker of the service runs on
 * the queue broker (QUEUE_BROKER_URL, else REDIS_URL) under the same key prefix. Anything every
 * queue and worker should carry is added here: BullMQ's OpenTelemetry support (bullmq-otel), so an
 * add is a PRODUCER span that stores its trace context in the job and each attempt a CONSUMER
 * span under it.
 */

/**
 * Options of the queues (producers, the dashboard, counts): one shared connection with no offline
 * queue, so that with Redis away an enqueue fails at once instead of hanging its request.
 */
export function queueOptions(redis: RedisConnections): QueueOptions {
  return {
    connection: redis.createForQueue('queue', { enableOfflineQueue: false }),
    prefix: redis.queuePrefix,
    telemetry: queueTelemetry(),
  };
}

/** What a worker may tune; its connection comes from workerOptions. */
export type WorkerSettings = Pick<
  WorkerOptions,
  'concurrency' | 'lockDuration' | 'stalledInterval' | 'maxStalledCount'
>;

/**
 * Options of one queue's worker: its own named connection (`ao:<name>` in CLIENT LIST), which
 * queues commands while Redis reconnects, so a worker rides out an outage.
 */
export function workerOptions(
  redis: RedisConnections,
  connectionName: string,
  settings: WorkerSettings,
): WorkerOptions {
  return {
    connection: redis.createForQueue(connectionName),
    telemetry: queueTelemetry(),
    ...settings,
  };
}
