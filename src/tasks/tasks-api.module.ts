import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { SessionsController } from '../sessions/sessions.controller';
import { SessionsModule } from '../sessions/sessions.module';
import { IdempotencyService } from './idempotency.service';
import { TaskCancellationSignal } from './task-cancellation';
import { TasksController } from './tasks.controller';
import { TasksCoreModule } from './tasks-core.module';
import { TasksService } from './tasks.service';

/** The HTTP side of tasks and sessions. */
@Module({
  imports: [TasksCoreModule, SessionsModule, AgentsModule],
  controllers: [TasksController, SessionsController],
  providers: [TasksService, IdempotencyService, TaskCancellationSignal],
})
export class TasksApiModule {}
