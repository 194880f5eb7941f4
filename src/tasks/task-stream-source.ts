import { Injectable } from '@nestjs/common';
import {
  type StreamedTask,
  StreamedTasks,
  type StreamedTaskStatus,
} from '../events/streamed-tasks';
import { TaskNotFoundError } from './tasks.errors';
import { TasksRepository } from './tasks.repository';

/** The tasks the SSE endpoint (src/events) may stream, read from the `tasks` collection. */
@Injectable()
export class TaskStreamSource extends StreamedTasks {
  constructor(private readonly tasks: TasksRepository) {
    super();
  }

  async find(taskId: string, owner: string | null): Promise<StreamedTask> {
    const task = await this.tasks.findOne(taskId, owner);
    if (!task) throw new TaskNotFoundError(taskId);
    return task;
  }

  status(taskId: string): Promise<StreamedTaskStatus | null> {
    return this.tasks.findStatus(taskId);
  }
}
