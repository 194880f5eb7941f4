import { Module } from '@nestjs/common';
import { configuredProcessor } from '../queues/configured-processor';
import { WEBHOOK_QUEUE } from '../queues/queue-names';
import { workerOptions } from '../queues/queue-options';
import { RedisConnections } from '../redis/redis-connections';
import { TasksModule } from '../tasks/tasks.module';
import { WebhookProcessor } from './webhook.processor';

/** Deliveries at once per worker process; each waits at most WEBHOOK_TIMEOUT_MS on its receiver. */
const DELIVERY_CONCURRENCY = 10;

/** The worker side of webhooks: the delivery processor. */
@Module({
  imports: [TasksModule],
  providers: [
    configuredProcessor({
      processor: WebhookProcessor,
      queue: WEBHOOK_QUEUE,
      inject: [RedisConnections],
      workerOptions: (redis: RedisConnections) =>
        workerOptions(redis, 'webhook-worker', { concurrency: DELIVERY_CONCURRENCY }),
    }),
  ],
})
export class WebhooksWorkerModule {}
