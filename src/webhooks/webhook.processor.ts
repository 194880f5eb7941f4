import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Job } from 'bullmq';
import { webhooksConfig } from '../config';
import { AppMetrics } from '../metrics/app-metrics';
import { WEBHOOK_QUEUE } from '../queues/queue-names';
import { TasksRepository } from '../tasks/tasks.repository';
import { webhookPayload } from './webhook-payload';
import { webhookHeaders } from './webhook-signature';
import type { DeliverWebhookJob } from './webhook-queue';
import { webhookUrlProblem } from './webhook-url';

/** A receiver's answer we will not retry: it refused the request itself. */
class WebhookRejected extends Error {}

/**
 * Delivers completion webhooks (worker side; WebhooksWorkerModule provides it): POSTs the signed
 * summary, records every attempt on the task, and lets BullMQ retry with backoff until
 * WEBHOOK_MAX_ATTEMPTS. The target is checked again at delivery time, so a host that starts
 * resolving to a private address is refused.
 */
@Processor(WEBHOOK_QUEUE)
export class WebhookProcessor extends WorkerHost implements OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');

  constructor(
    private readonly tasks: TasksRepository,
    private readonly metrics: AppMetrics,
    @Inject(webhooksConfig.KEY) private readonly config: ConfigType<typeof webhooksConfig>,
  ) {
    super();
  }

  process(job: Job<DeliverWebhookJob>): Promise<void> {
    return this.deliver(job);
  }

  private async deliver(job: Job<DeliverWebhookJob>): Promise<void> {
    const task = await this.tasks.findOne(job.data.task_id);
    if (!task?.webhook_url || !this.config.secret) return;
    const attempt = job.attemptsMade + 1;
    const started = Date.now();
    let statusCode: number | null = null;
    try {
      const problem = await webhookUrlProblem(task.webhook_url, this.config.allowPrivate);
      if (problem) throw new WebhookRejected(problem);
      const body = JSON.stringify(webhookPayload(task, this.config.publicBaseUrl));
      // The same id on every attempt lets receivers drop duplicates.
      const headers = webhookHeaders(
        this.config.secret,
        `msg_${task.task_id}`,
        Math.floor(Date.now() / 1000),
        body,
      );
      const res = await fetch(task.webhook_url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
      statusCode = res.status;
      await res.body?.cancel();
      if (res.status < 200 || res.status >= 300) throw new Error(`receiver answered ${res.status}`);
      await this.record(task.task_id, attempt, 'delivered', statusCode, null, started);
      this.metrics.webhookDeliveries.inc({ outcome: 'delivered' });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await this.record(task.task_id, attempt, 'failed', statusCode, message, started);
      const final = err instanceof WebhookRejected || attempt >= (job.opts.attempts ?? 1);
      this.metrics.webhookDeliveries.inc({ outcome: final ? 'gave_up' : 'retrying' });
      this.logger.warn({
        task_id: task.task_id,
        attempt,
        status_code: statusCode,
        msg: `Webhook delivery failed: ${message}`,
      });
      if (err instanceof WebhookRejected) return;
      throw err;
    }
  }

  private record(
    taskId: string,
    attempt: number,
    outcome: 'delivered' | 'failed',
    statusCode: number | null,
    error: string | null,
    started: number,
  ) {
    return this.tasks.recordWebhookDelivery(taskId, {
      at: new Date(),
      attempt,
      outcome,
      status_code: statusCode,
      error,
      duration_ms: Date.now() - started,
    });
  }

  @OnWorkerEvent('error')
  onError(err: Error): void {
    this.logger.warn({ err, msg: 'Webhook worker error' });
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker.close();
  }
}
