import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type RedisClient, RedisConnections } from '../redis/redis-connections';
import { TASK_EVENT_GROUPS, taskEventGroup, taskGroupTag } from '../redis/redis-keys';

const CHANNEL = 'task_cancel';

/**
 * Where a cancel request travels. On one node: one pub/sub channel. On a cluster: sharded pub/sub
 * (SPUBLISH), one channel per task group, so a message goes to the shard of its channel's slot
 * instead of being broadcast over the cluster bus to every node.
 */
function shardedChannel(group: number): string {
  return `${CHANNEL}:${taskGroupTag(group)}`;
}

/** Tells every worker that a task should stop (Redis pub/sub); the one holding it aborts. */
@Injectable()
export class TaskCancellationSignal {
  constructor(private readonly redis: RedisConnections) {}

  async request(taskId: string): Promise<void> {
    if (this.redis.isCluster) {
      // SPUBLISH's channel is a key: the client's key prefix applies to it.
      await this.redis.commands.spublish(shardedChannel(taskEventGroup(taskId)), taskId);
    } else {
      await this.redis.commands.publish(this.redis.key(CHANNEL), taskId);
    }
  }
}

/**
 * Worker side: one subscriber per process (on a cluster, one per shard holding a group's
 * channel), and the AbortController of every task this process is running. A cancel message
 * aborts that task's in-flight LLM call.
 */
@Injectable()
export class TaskCancellationListener implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('TaskCancellation');
  private readonly running = new Map<string, AbortController>();
  private subscriber?: RedisClient;

  constructor(private readonly redis: RedisConnections) {}

  async onModuleInit(): Promise<void> {
    if (this.redis.isCluster) {
      const subscriber = this.redis.create('cancel-subscriber', {
        keyPrefix: this.redis.settings.keyPrefix,
        shardedSubscribers: true,
      });
      this.subscriber = subscriber;
      subscriber.on('smessage', (_channel: string, taskId: string) => this.abort(taskId));
      // One SSUBSCRIBE per channel: channels of different slots cannot share one.
      const groups = Array.from({ length: TASK_EVENT_GROUPS }, (_, group) => group);
      await Promise.all(groups.map((group) => subscriber.ssubscribe(shardedChannel(group))));
      return;
    }
    const subscriber = this.redis.create('cancel-subscriber');
    this.subscriber = subscriber;
    subscriber.on('message', (_channel: string, taskId: string) => this.abort(taskId));
    await subscriber.subscribe(this.redis.key(CHANNEL));
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
