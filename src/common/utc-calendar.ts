/* UTC calendar arithmetic for daily figures, budgets and usage reports. */

const DAY_MS = 24 * 3600 * 1000;

export function utcDayStart(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
}

export function utcMonthStart(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

export function addUtcDays(at: Date, days: number): Date {
  return new Date(at.getTime() + days * DAY_MS);
}

export function addUtcMonths(at: Date, months: number): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + months, at.getUTCDate()));
}

/** `YYYY-MM-DD` of the UTC day `at` falls in. */
export function isoDate(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (both day starts). */
export function utcDaysBetween(from: Date, to: Date): number {
  return Math.round((to.getTime() - from.getTime()) / DAY_MS);
}
