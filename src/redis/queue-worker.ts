import type { Logger } from '@nestjs/common';
import { type Job, Worker, type WorkerOptions } from 'bullmq';
import type { RedisConnections } from './redis-connections';

/** What a queue's worker may tune; its connection and key prefix always come from RedisConnections. */
export type QueueWorkerSettings = Pick<
  WorkerOptions,
  'concurrency' | 'lockDuration' | 'stalledInterval' | 'maxStalledCount'
>;

export interface QueueWorkerSpec<Data> {
  queue: string;
  /** Names the worker's own connection to the queue broker (`ao:<name>` in CLIENT LIST). */
  connectionName: string;
  settings: QueueWorkerSettings;
  process: (job: Job<Data>) => Promise<void>;
  logger: Logger;
  /** What the log says when the worker itself fails (a lost connection, a lost lock). */
  errorMessage: string;
  /** Called after every failed attempt, final or not; BullMQ does not wait for it. */
  onFailed?: (job: Job<Data> | undefined, err: Error) => Promise<void>;
}

/**
 * A BullMQ worker of one of our queues: on the queue broker, under the service's key prefix, with
 * its errors logged instead of thrown at the process. Its owner closes it on module destroy;
 * `close()` stops taking jobs and waits for the active ones.
 */
export function createQueueWorker<Data>(
  redis: RedisConnections,
  spec: QueueWorkerSpec<Data>,
): Worker<Data> {
  const worker = new Worker<Data>(spec.queue, spec.process, {
    connection: redis.createForQueue(spec.connectionName),
    prefix: redis.queuePrefix,
    ...spec.settings,
  });
  const { onFailed } = spec;
  if (onFailed) worker.on('failed', (job, err) => void onFailed(job, err));
  worker.on('error', (err) => spec.logger.warn({ err, msg: spec.errorMessage }));
  return worker;
}
