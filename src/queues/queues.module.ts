import { BullModule, getQueueToken } from '@nestjs/bullmq';
import { Logger, Module } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { RedisConnections } from '../redis/redis-connections';
import { QueueCounts } from './queue-counts';
import { QUEUES } from './queue-names';
import { queueOptions } from './queue-options';

const registered = BullModule.registerQueue(...QUEUES.map((name) => ({ name })));

/**
 * Every queue of the service, registered once through @nestjs/bullmq on the options of
 * queue-options.ts; inject one with `@InjectQueue(TASK_QUEUE)`. Mode-neutral: the api enqueues,
 * the worker's processors (provided by worker-side modules only) consume.
 */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [RedisConnections],
      useFactory: (redis: RedisConnections) => queueOptions(redis),
    }),
    registered,
  ],
  providers: [
    QueueCounts,
    {
      // Connection errors are logged once by RedisConnections; a queue without an error
      // listener would print each one again to stderr.
      provide: 'QUEUE_ERRORS_HANDLED',
      inject: QUEUES.map((name) => getQueueToken(name)),
      useFactory: (...queues: Queue[]) => {
        const logger = new Logger('Queues');
        for (const queue of queues) queue.on('error', (err) => logger.debug(err.message));
        return true;
      },
    },
  ],
  exports: [registered, QueueCounts],
})
export class QueuesModule {}
