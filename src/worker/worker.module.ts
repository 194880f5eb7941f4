import { Module } from '@nestjs/common';
import { TaskWorkerModule } from '../tasks/task-worker.module';

/**
 * The worker side of the process (modes worker and all). Queue processors are provided here and
 * nowhere else, so an API-only process never consumes jobs.
 */
@Module({ imports: [TaskWorkerModule] })
export class WorkerModule {}
