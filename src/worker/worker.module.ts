import { Module } from '@nestjs/common';

/**
 * The worker side of the process (modes worker and all). Queue processors are provided here and
 * nowhere else, so an API-only process never consumes jobs.
 */
@Module({})
export class WorkerModule {}
