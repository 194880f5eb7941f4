import { Module } from '@nestjs/common';
import { TasksModule } from '../tasks/tasks.module';
import { UsageController } from './usage.controller';
import { UsageService } from './usage.service';

/** GET /v1/usage (API side). */
@Module({
  imports: [TasksModule],
  controllers: [UsageController],
  providers: [UsageService],
})
export class UsageModule {}
