import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisConnections } from '../redis/redis-connections';

const CHANNEL = 'task_cancel';

/** Tells every worker that a task should stop (Redis pub/sub); the one holding it aborts. */
@Injectable()
export class TaskCancellationSignal {
  constructor(private readonly redis: RedisConnections) {}

  async request(taskId: string): Promise<void> {
    await this.redis.commands.publish(this.redis.key(CHANNEL), taskId);
  }
}

/**
 * Worker side: one subscriber connection per process, and the AbortController of every task
 * this process is running. A cancel message aborts that task's in-flight LLM call.
 */
@Injectable()
export class TaskCancellationListener implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('TaskCancellation');
  private readonly running = new Map<string, AbortController>();
  private subscriber?: Redis;

  constructor(private readonly redis: RedisConnections) {}

  async onModuleInit(): Promise<void> {
    this.subscriber = this.redis.create('cancel-subscriber');
    this.subscriber.on('message', (_channel: string, taskId: string) => this.abort(taskId));
    await this.subscriber.subscribe(this.redis.key(CHANNEL));
  }

  /** Tracks a running task; the returned function stops tracking it. */
  track(taskId: string, controller: AbortController): () => void {
    this.running.set(taskId, controller);
    return () => {
      if (this.running.get(taskId) === controller) this.running.delete(taskId);
    };
  }

  private abort(taskId: string): void {
    const controller = this.running.get(taskId);
    if (!controller) return;
    this.logger.log({ task_id: taskId, msg: 'Cancelling the running task' });
    controller.abort(new Error('cancelled'));
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscriber?.quit().catch(() => undefined);
  }
}
