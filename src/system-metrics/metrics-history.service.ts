import { Injectable } from '@nestjs/common';
import { type FieldError, ValidationError } from '../common/errors';
import { parseIsoDateTime } from '../common/time/strict-dates';
import { MetricsSnapshotsRepository } from './metrics-snapshots.repository';
import type { MetricsHistoryView } from './system-metrics.views';

const DEFAULT_WINDOW_MS = 24 * 3600 * 1000;
/** At most this many snapshots per answer (a week at the default 5-minute interval is 2016). */
export const MAX_SNAPSHOTS = 5000;

/** GET /v1/system/metrics/history: the snapshots the workers wrote in a time range. */
@Injectable()
export class MetricsHistoryService {
  constructor(private readonly snapshots: MetricsSnapshotsRepository) {}

  async between(
    range: { from?: string; to?: string },
    now: Date = new Date(),
  ): Promise<MetricsHistoryView> {
    const to = range.to === undefined ? now : parseIsoDateTime(range.to);
    const from =
      range.from === undefined
        ? to && new Date(to.getTime() - DEFAULT_WINDOW_MS)
        : parseIsoDateTime(range.from);
    const errors: FieldError[] = [];
    if (!to) errors.push({ field: 'to', message: 'to is not a valid time' });
    if (!from && range.from !== undefined) {
      errors.push({ field: 'from', message: 'from is not a valid time' });
    }
    if (from && to && from > to) {
      errors.push({ field: 'from', message: 'from must not be after to' });
    }
    if (errors.length > 0 || !from || !to) throw new ValidationError(errors);
    const rows = await this.snapshots.between(from, to, MAX_SNAPSHOTS);
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      snapshots: rows.map((row) => ({
        date: row.date,
        taken_at: new Date(row.taken_at).toISOString(),
        total_tasks: row.total_tasks,
        tasks_per_agent: row.tasks_per_agent ?? {},
        queue_lengths: row.queue_lengths ?? null,
        avg_latency_ms: row.avg_latency_ms ?? null,
      })),
    };
  }
}
