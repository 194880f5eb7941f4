import { Injectable } from '@nestjs/common';
import { DependencyProbe } from '../health/dependency-probe';
import { API_VERSION } from '../tasks/task.views';
import { LlmProviderProbe } from './llm-provider-probe';
import { QueueCounts } from '../queues/queue-counts';
import { queueLengths } from './queue-lengths';
import type { SystemMetricsView } from './system-metrics.views';
import { TaskStatsService } from './task-stats.service';

/** GET /v1/system/metrics: the queue, today's tasks, latency and cost, and dependency health. */
@Injectable()
export class SystemMetricsService {
  constructor(
    private readonly stats: TaskStatsService,
    private readonly queue: QueueCounts,
    private readonly dependencies: DependencyProbe,
    private readonly llm: LlmProviderProbe,
  ) {}

  async current(now: Date = new Date()): Promise<SystemMetricsView> {
    const [queue, today, latency, cost, mongo, redis, llmProvider] = await Promise.all([
      this.queue.taskJobs().then(queueLengths),
      this.stats.dayCounts(now),
      this.stats.latency(now),
      this.stats.cost(now),
      this.dependencies.mongoState(),
      this.dependencies.redisState(),
      this.llm.state(),
    ]);
    const healthy = mongo === 'up' && redis === 'up' && llmProvider === 'up';
    return {
      queue: {
        pending_tasks: queue ? queue.waiting + queue.delayed : null,
        waiting: queue?.waiting ?? null,
        delayed: queue?.delayed ?? null,
        active: queue?.active ?? null,
        failed: queue?.failed ?? null,
      },
      today,
      latency_ms: latency,
      cost_today: cost,
      api_health: {
        status: healthy ? 'healthy' : 'degraded',
        dependencies: { mongo, redis, llm_provider: llmProvider },
      },
      api_version: API_VERSION,
    };
  }
}
