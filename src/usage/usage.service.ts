import { Injectable } from '@nestjs/common';
import { type FieldError, ValidationError } from '../common/errors';
import { TasksRepository } from '../tasks/tasks.repository';
import { parseIsoDate } from '../common/time/strict-dates';
import { addUtcDays, isoDate, utcDayStart, utcDaysBetween } from '../common/utc-calendar';
import type { UsageDay, UsageFigures, UsageReport } from './usage.views';

/** The longest range one report covers, in days (a leap year). */
export const MAX_USAGE_DAYS = 366;
const DEFAULT_DAYS = 30;

/**
 * A key's tokens, USD and task counts per UTC day. FerretDB cannot group by a computed day, so
 * the key's tasks of the range are streamed (three fields each) and added up here.
 */
@Injectable()
export class UsageService {
  constructor(private readonly tasks: TasksRepository) {}

  async report(
    apiKeyId: string | null,
    range: { from?: string; to?: string },
    now: Date = new Date(),
  ): Promise<UsageReport> {
    const { from, to } = resolveRange(range, now);
    const days = new Map<string, UsageDay>();
    for (let day = from; day <= to; day = addUtcDays(day, 1)) {
      days.set(isoDate(day), { date: isoDate(day), ...emptyFigures() });
    }
    const totals = emptyFigures();
    for await (const task of this.tasks.usageRows(apiKeyId, from, addUtcDays(to, 1))) {
      const day = days.get(isoDate(new Date(task.created_at)));
      if (!day) continue;
      for (const figures of [day, totals]) {
        figures.tasks += 1;
        if (task.status === 'completed') figures.completed += 1;
        if (task.status === 'failed') figures.failed += 1;
        if (task.status === 'cancelled') figures.cancelled += 1;
        figures.prompt_tokens += task.cost?.prompt_tokens ?? 0;
        figures.completion_tokens += task.cost?.completion_tokens ?? 0;
        figures.total_tokens += task.cost?.total_tokens ?? 0;
        figures.usd += task.cost?.usd_estimate ?? 0;
      }
    }
    const list = [...days.values()];
    for (const figures of [...list, totals]) figures.usd = roundUsd(figures.usd);
    return { api_key_id: apiKeyId, from: isoDate(from), to: isoDate(to), totals, days: list };
  }
}

function resolveRange(range: { from?: string; to?: string }, now: Date): { from: Date; to: Date } {
  const errors: FieldError[] = [];
  const to = range.to === undefined ? utcDayStart(now) : parseIsoDate(range.to);
  if (!to) errors.push({ field: 'to', message: 'to must be a real calendar date (YYYY-MM-DD)' });
  const from =
    range.from === undefined ? to && addUtcDays(to, -(DEFAULT_DAYS - 1)) : parseIsoDate(range.from);
  if (!from && range.from !== undefined) {
    errors.push({ field: 'from', message: 'from must be a real calendar date (YYYY-MM-DD)' });
  }
  if (from && to) {
    if (from > to) errors.push({ field: 'from', message: 'from must not be after to' });
    else if (utcDaysBetween(from, to) + 1 > MAX_USAGE_DAYS) {
      errors.push({ field: 'from', message: `the range may cover at most ${MAX_USAGE_DAYS} days` });
    }
  }
  if (errors.length > 0 || !from || !to) throw new ValidationError(errors);
  return { from, to };
}

function emptyFigures(): UsageFigures {
  return {
    tasks: 0,
    completed: 0,
    failed: 0,
    cancelled: 0,
    prompt_tokens: 0,
    completion_tokens: 0,
    total_tokens: 0,
    usd: 0,
  };
}

function roundUsd(usd: number): number {
  return Math.round(usd * 1e8) / 1e8;
}
