import { addUtcMonths, isoDate, utcDayStart, utcDaysBetween, utcMonthStart } from './utc-calendar';

describe('UTC calendar', () => {
  it('finds the start of the UTC day and month whatever the time of day', () => {
    const at = new Date('2026-03-31T23:59:59.999Z');
    expect(utcDayStart(at).toISOString()).toBe('2026-03-31T00:00:00.000Z');
    expect(utcMonthStart(at).toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(addUtcMonths(utcMonthStart(at), 1).toISOString()).toBe('2026-04-01T00:00:00.000Z');
    expect(addUtcMonths(new Date('2026-12-01T00:00:00Z'), 1).toISOString()).toBe(
      '2027-01-01T00:00:00.000Z',
    );
    expect(isoDate(at)).toBe('2026-03-31');
  });

  it('counts whole days between two day starts', () => {
    expect(utcDaysBetween(new Date('2025-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'))).toBe(
      365,
    );
  });
});
