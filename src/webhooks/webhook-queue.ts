import { InjectQueue } from '@nestjs/bullmq';
import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Queue } from 'bullmq';
import { webhooksConfig } from '../config';
import { WEBHOOK_QUEUE } from '../queues/queue-names';
import { type TaskFinished, TaskFinishedSignal } from '../events/task-finished.signal';

/** The one job type of the `webhooks` queue (WEBHOOK_QUEUE). */
export const DELIVER_WEBHOOK_JOB = 'deliver_webhook';

export interface DeliverWebhookJob {
  task_id: string;
}

/**
 * Puts a delivery job on the `webhooks` queue on `task.finished` for a task with a webhook_url,
 * in whichever process finished it. The job id is per task, so a task is announced once.
 */
@Injectable()
export class WebhookDispatcher implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  private unsubscribe?: () => void;

  constructor(
    @InjectQueue(WEBHOOK_QUEUE) private readonly queue: Queue<DeliverWebhookJob>,
    private readonly finished: TaskFinishedSignal,
    @Inject(webhooksConfig.KEY) private readonly config: ConfigType<typeof webhooksConfig>,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.finished.on((finished) => this.onFinished(finished));
  }

  private async onFinished(finished: TaskFinished): Promise<void> {
    // Without a secret no task carries a webhook_url (accept refuses it) and none is delivered.
    if (!finished.webhook_url || !this.config.secret) return;
    try {
      await this.queue.add(
        DELIVER_WEBHOOK_JOB,
        { task_id: finished.task_id },
        {
          jobId: `webhook-${finished.task_id}`,
          attempts: this.config.maxAttempts,
          backoff: { type: 'exponential', delay: this.config.backoffMs },
          removeOnComplete: { age: 24 * 3600, count: 10_000 },
          removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
        },
      );
    } catch (err) {
      this.logger.warn({ task_id: finished.task_id, err, msg: 'Could not schedule the webhook' });
    }
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }
}
