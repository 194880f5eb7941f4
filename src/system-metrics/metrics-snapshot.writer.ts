import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { hostname } from 'node:os';
import { observabilityConfig } from '../config';
import { RedisConnections } from '../redis/redis-connections';
import { MetricsSnapshotsRepository } from './metrics-snapshots.repository';
import { QueueStats } from './queue-stats';
import { TaskStatsService } from './task-stats.service';

const LOCK_KEY = 'metrics:snapshot:lock';

/**
 * Worker side: every METRICS_SNAPSHOT_INTERVAL_S, one worker (whoever takes a Redis lock,
 * SET NX PX, held for about one interval) writes today's figures to `system_metrics`.
 */
@Injectable()
export class MetricsSnapshotWriter implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('MetricsSnapshots');
  private readonly intervalMs: number;
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly stats: TaskStatsService,
    private readonly queue: QueueStats,
    private readonly snapshots: MetricsSnapshotsRepository,
    private readonly redis: RedisConnections,
    @Inject(observabilityConfig.KEY) config: ConfigType<typeof observabilityConfig>,
  ) {
    this.intervalMs = config.snapshotIntervalS * 1000;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.writeIfLeader()
        .catch((err: unknown) => this.logger.warn({ err, msg: 'Metrics snapshot failed' }))
        .finally(() => (this.running = undefined));
    }, this.intervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /**
   * Writes a snapshot if no other worker wrote one during the last interval. The lock expires a
   * little before the next tick, so the writer's own next tick finds it free.
   */
  async writeIfLeader(now: Date = new Date()): Promise<boolean> {
    const holdMs = Math.max(1000, this.intervalMs - 1000);
    const owner = `${hostname()}:${process.pid}`;
    const taken = await this.redis.commands.set(LOCK_KEY, owner, 'PX', holdMs, 'NX');
    if (taken !== 'OK') return false;
    await this.write(now);
    return true;
  }

  private async write(now: Date): Promise<void> {
    const [day, latency, queue] = await Promise.all([
      this.stats.dayCounts(now),
      this.stats.latency(now),
      this.queue.counts(),
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
