import { type DynamicModule, Module } from '@nestjs/common';
import type { ModuleImport } from '../common/module-import';
import { TaskEventStreamService } from './task-event-stream.service';
import { TaskEventsController } from './task-events.controller';
import { TaskEventsModule } from './task-events.module';
import { TaskStreamFollower } from './task-stream-follower';

/** The API side of task events: GET /v1/tasks/:task_id/events (SSE) and its stream follower. */
@Module({})
export class TaskEventsApiModule {
  /**
   * `tasks` is the module that provides StreamedTasks (TasksModule). It is passed in by the
   * composition root because tasks imports this folder, so this folder cannot import tasks.
   */
  static register(tasks: ModuleImport): DynamicModule {
    return {
      module: TaskEventsApiModule,
      imports: [TaskEventsModule, tasks],
      controllers: [TaskEventsController],
      providers: [TaskEventStreamService, TaskStreamFollower],
    };
  }
}
