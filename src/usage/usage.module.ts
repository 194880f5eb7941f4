import { Module } from '@nestjs/common';
import { TasksCoreModule } from '../tasks/tasks-core.module';
import { UsageController } from './usage.controller';
import { UsageService } from './usage.service';

/** GET /v1/usage (API side). */
@Module({
  imports: [TasksCoreModule],
  controllers: [UsageController],
  providers: [UsageService],
})
export class UsageModule {}
