import { Module } from '@nestjs/common';
import { SystemMetricsWorkerModule } from './system-metrics/system-metrics-worker.module';
import { TasksWorkerModule } from './tasks/tasks-worker.module';
import { WebhooksWorkerModule } from './webhooks/webhooks-worker.module';

/**
 * The worker side of the process (modes worker and all). Queue processors are provided by these
 * modules and nowhere else, so an API-only process never consumes jobs.
 */
@Module({ imports: [TasksWorkerModule, WebhooksWorkerModule, SystemMetricsWorkerModule] })
export class WorkerModule {}
