import { Injectable, Logger } from '@nestjs/common';
import { RedisConnections } from '../redis/redis-connections';
import type { TaskEvent, TaskEventInput } from './task-event';
import { TaskEventsPublisher } from './task-events.publisher';

/**
 * Publishes task events on the Redis channel `task_events:{task_id}`, as the original design
 * does. Publishing is best effort: a lost event never fails the task, whose state is in MongoDB.
 */
@Injectable()
export class RedisPubSubTaskEvents extends TaskEventsPublisher {
  private readonly logger = new Logger('TaskEvents');
  private seq = 0;

  constructor(private readonly redis: RedisConnections) {
    super();
  }

  async publish(input: TaskEventInput): Promise<void> {
    const event: TaskEvent = { ...input, seq: ++this.seq, at: new Date().toISOString() };
    this.notifyLocal(event);
    try {
      await this.redis.commands.publish(
        this.redis.key(`task_events:${input.task_id}`),
        JSON.stringify(event),
      );
    } catch (err) {
      this.logger.warn({
        task_id: input.task_id,
        err,
        msg: `Could not publish a ${input.type} event`,
      });
    }
  }
}
