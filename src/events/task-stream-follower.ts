import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { RedisConnections } from '../redis/redis-connections';
import { TASK_EVENT_GROUPS, taskEventGroup } from '../redis/redis-keys';
import { StreamGroupFollower } from './stream-group-follower';
import { type StoredTaskEvent, taskStreamKey } from './task-event-stream';

/**
 * Follows every open task stream of this API process with one blocking Redis connection per tag
 * group that has followers (a task's streams live in its group's slot, and Redis Cluster serves
 * one XREAD from one slot). Redis connections per process are therefore bounded by the number
 * of groups (TASK_EVENT_GROUPS), on one node or a cluster, never by the number of SSE clients.
 */
@Injectable()
export class TaskStreamFollower implements OnModuleDestroy {
  private readonly logger = new Logger('TaskStreamFollower');
  private readonly groups: StreamGroupFollower[];
  private readonly redisKey: (taskId: string) => string;

  constructor(redis: RedisConnections) {
    this.groups = Array.from(
      { length: TASK_EVENT_GROUPS },
      (_, group) => new StreamGroupFollower(redis, `events-reader:g${group}`, this.logger),
    );
    this.redisKey = (taskId) => redis.key(taskStreamKey(taskId));
  }

  /** Delivers the task's events after `afterId` as they are appended; returns the unfollow function. */
  follow(
    taskId: string,
    afterId: string,
    deliver: (events: StoredTaskEvent[]) => void,
  ): () => void {
    return this.groups[taskEventGroup(taskId)].follow(this.redisKey(taskId), {
      lastId: afterId,
      deliver,
    });
  }

  /** Open followers, for tests and the agent_orchestrator_sse_connections gauge's sanity. */
  get size(): number {
    return this.groups.reduce((n, group) => n + group.size, 0);
  }

  /** Blocking Redis connections held now: one per group with followers (or recently with). */
  get readers(): number {
    return this.groups.filter((group) => group.connected).length;
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.groups.map((group) => group.stop()));
  }
}
