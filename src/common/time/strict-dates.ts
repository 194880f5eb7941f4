/*
 * The one strict reading of dates and times that come in from outside (query parameters). What
 * is refused here is refused everywhere: no rolling over of 2025-02-30 into March, no two-digit
 * year read as 19xx, no date-time without a time zone.
 */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const RFC3339_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/**
 * The instant of year-month-day h:m:s.ms UTC, or undefined when any part is out of range.
 * Date.UTC reads years 0 to 99 as 1900 to 1999, so the year is set on its own.
 */
function utcInstant(
  year: number,
  month: number,
  day: number,
  hours = 0,
  minutes = 0,
  seconds = 0,
  ms = 0,
): Date | undefined {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hours, minutes, seconds, ms);
  const same =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hours &&
    date.getUTCMinutes() === minutes &&
    date.getUTCSeconds() === seconds;
  return same ? date : undefined;
}

/** The start of the UTC day a strict `YYYY-MM-DD` (RFC 3339 full-date) names, else undefined. */
export function parseIsoDate(value: string): Date | undefined {
  const match = ISO_DATE.exec(value);
  if (!match) return undefined;
  return utcInstant(Number(match[1]), Number(match[2]), Number(match[3]));
}

/**
 * The instant an RFC 3339 date-time names (`2026-01-04T12:00:00Z`, `...12:00:00.5+02:00`), else
 * undefined. A time zone is required; a leap second (`:60`) is refused, as Date cannot hold it.
 */
export function parseIsoDateTime(value: string): Date | undefined {
  const m = RFC3339_DATE_TIME.exec(value);
  if (!m) return undefined;
  const [year, month, day, hours, minutes, seconds] = m.slice(1, 7).map(Number);
  const ms = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  const local = utcInstant(year, month, day, hours, minutes, seconds, ms);
  if (!local) return undefined;
  if (m[8] === undefined) return local;
  const [offsetHours, offsetMinutes] = [Number(m[9]), Number(m[10])];
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  const offsetMs = (offsetHours * 60 + offsetMinutes) * 60_000 * (m[8] === '-' ? -1 : 1);
  return new Date(local.getTime() - offsetMs);
}
