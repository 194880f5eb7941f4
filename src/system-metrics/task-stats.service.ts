import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { type CostTotals, TasksRepository } from '../tasks/tasks.repository';
import { addUtcDays, isoDate, utcDayStart } from '../common/utc-calendar';
import { nearestRank } from './percentile';

export interface DayCounts {
  /** The UTC day, YYYY-MM-DD. */
  date: string;
  total_tasks: number;
  /** Tasks by selected agent; tasks not (yet) routed count in total_tasks only. */
  tasks_per_agent: Record<string, number>;
  completed: number;
  failed: number;
  cancelled: number;
}

export interface LatencyFigures {
  avg: number | null;
  p50: number | null;
  p95: number | null;
  /** How many completed tasks the figures are over. */
  samples: number;
}

/** Latencies filled per call at most (batches × size), so one request stays bounded. */
const FILL_BATCH = 100;
const FILL_MAX_BATCHES = 20;

/**
 * Today's figures from the `tasks` collection: counts by agent and status, completion latency
 * (completed_at − created_at of the day's completed tasks) and cost. Everything is computed with
 * $match/$group/$sum, counts and sort-and-skip, so it runs on MongoDB and FerretDB alike.
 */
@Injectable()
export class TaskStatsService implements OnModuleInit {
  private readonly logger = new Logger('TaskStats');

  constructor(private readonly tasks: TasksRepository) {}

  async onModuleInit(): Promise<void> {
    try {
      await this.tasks.ensureLatencyIndex();
    } catch (err) {
      this.logger.warn({ err, msg: 'Could not create the latency index; metrics still work' });
    }
  }

  /** The UTC day `at` falls in, as [from, to). */
  dayOf(at: Date): { date: string; from: Date; to: Date } {
    const from = utcDayStart(at);
    return { date: isoDate(from), from, to: addUtcDays(from, 1) };
  }

  async dayCounts(at: Date): Promise<DayCounts> {
    const { date, from, to } = this.dayOf(at);
    const rows = await this.tasks.countByAgentAndStatus(from, to);
    const counts: DayCounts = {
      date,
      total_tasks: 0,
      tasks_per_agent: {},
      completed: 0,
      failed: 0,
      cancelled: 0,
    };
    for (const { agent, status, count } of rows) {
      counts.total_tasks += count;
      if (agent) counts.tasks_per_agent[agent] = (counts.tasks_per_agent[agent] ?? 0) + count;
      if (status === 'completed' || status === 'failed' || status === 'cancelled') {
        counts[status] += count;
      }
    }
    return counts;
  }

  /** Average, median and 95th percentile (nearest rank) in ms, over the day's completed tasks. */
  async latency(at: Date): Promise<LatencyFigures> {
    const { from, to } = this.dayOf(at);
    for (let batch = 0; batch < FILL_MAX_BATCHES; batch++) {
      if ((await this.tasks.fillLatency(from, to, FILL_BATCH)) < FILL_BATCH) break;
    }
    const { count, sumMs } = await this.tasks.latencySummary(from, to);
    if (count === 0) return { avg: null, p50: null, p95: null, samples: 0 };
    const [p50, p95] = await Promise.all(
      [50, 95].map((p) => this.tasks.latencyAtRank(from, to, nearestRank(p, count))),
    );
    return { avg: Math.round(sumMs / count), p50, p95, samples: count };
  }

  cost(at: Date): Promise<CostTotals> {
    const { from, to } = this.dayOf(at);
    return this.tasks.costTotals(null, from, to);
  }
}
