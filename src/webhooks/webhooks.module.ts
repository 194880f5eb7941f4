import { Module } from '@nestjs/common';
import { TaskEventsModule } from '../events/task-events.module';
import { QueuesModule } from '../queues/queues.module';
import { WebhookTargets } from '../tasks/webhook-targets';
import { WebhookDispatcher } from './webhook-queue';
import { WebhookTargetPolicy } from './webhook-target-policy';

/**
 * Mode-neutral webhooks: whichever process finishes a task schedules its delivery (on
 * `task.finished`), and the api checks a submitted webhook_url (WebhookTargets).
 */
@Module({
  imports: [TaskEventsModule, QueuesModule],
  providers: [WebhookDispatcher, { provide: WebhookTargets, useClass: WebhookTargetPolicy }],
  exports: [WebhookTargets],
})
export class WebhooksModule {}
