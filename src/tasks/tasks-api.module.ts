import { Module } from '@nestjs/common';
import { AgentsController } from '../agents/agents.controller';
import { AgentsModule } from '../agents/agents.module';
import { TaskEventStreamService } from '../events/task-event-stream.service';
import { TaskEventsController } from '../events/task-events.controller';
import { TaskStreamFollower } from '../events/task-stream-follower';
import { ApiMetricsModule } from '../metrics/api-metrics.module';
import { SessionsController } from '../sessions/sessions.controller';
import { SessionsModule } from '../sessions/sessions.module';
import { IdempotencyService } from './idempotency.service';
import { TaskCancellationSignal } from './task-cancellation';
import { TasksController } from './tasks.controller';
import { TasksCoreModule } from './tasks-core.module';
import { TasksService } from './tasks.service';

/** The HTTP side of tasks and sessions. */
@Module({
  imports: [TasksCoreModule, SessionsModule, AgentsModule, ApiMetricsModule],
  controllers: [TasksController, TaskEventsController, SessionsController, AgentsController],
  providers: [
    TasksService,
    IdempotencyService,
    TaskCancellationSignal,
    TaskEventStreamService,
    TaskStreamFollower,
  ],
})
export class TasksApiModule {}
