import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { observabilityConfig } from '../config';
import { LeaderInterval } from '../redis/leader-interval';
import { RedisConnections } from '../redis/redis-connections';
import { MetricsSnapshotsRepository } from './metrics-snapshots.repository';
import { QueueCounts } from '../queues/queue-counts';
import { queueLengths } from './queue-lengths';
import { TaskStatsService } from './task-stats.service';

/**
 * Worker side: every METRICS_SNAPSHOT_INTERVAL_S, one worker (whoever takes a Redis lock,
 * SET NX PX, held for about one interval) writes today's figures to `system_metrics`.
 */
@Injectable()
export class MetricsSnapshotWriter implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('MetricsSnapshots');
  private readonly leader: LeaderInterval;

  constructor(
    private readonly stats: TaskStatsService,
    private readonly queue: QueueCounts,
    private readonly snapshots: MetricsSnapshotsRepository,
    redis: RedisConnections,
    @Inject(observabilityConfig.KEY) config: ConfigType<typeof observabilityConfig>,
  ) {
    const intervalMs = config.snapshotIntervalS * 1000;
    this.leader = new LeaderInterval(redis, {
      lockKey: 'metrics:snapshot:lock',
      intervalMs,
      // The lock expires a little before the next tick, so the writer's own next tick finds it free.
      holdMs: Math.max(1000, intervalMs - 1000),
      run: () => this.write(new Date()),
      onError: (err) => this.logger.warn({ err, msg: 'Metrics snapshot failed' }),
    });
  }

  onApplicationBootstrap(): void {
    this.leader.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.leader.stop();
  }

  /** Writes a snapshot if no other worker wrote one during the last interval. */
  writeIfLeader(now: Date = new Date()): Promise<boolean> {
    return this.leader.runIfLeader(() => this.write(now));
  }

  private async write(now: Date): Promise<void> {
    const [day, latency, queue] = await Promise.all([
      this.stats.dayCounts(now),
      this.stats.latency(now),
      this.queue.taskJobs().then(queueLengths),
    ]);
    await this.snapshots.insert({
      date: day.date,
      taken_at: now,
      total_tasks: day.total_tasks,
      tasks_per_agent: day.tasks_per_agent,
      queue_lengths: queue,
      avg_latency_ms: latency.avg,
    });
  }
}
