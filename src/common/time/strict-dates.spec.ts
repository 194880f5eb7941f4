import { parseIsoDate, parseIsoDateTime } from './strict-dates';

describe('strict dates', () => {
  it('parses only real calendar dates written YYYY-MM-DD', () => {
    expect(parseIsoDate('2024-02-29')?.toISOString()).toBe('2024-02-29T00:00:00.000Z');
    for (const bad of [
      '2025-02-29',
      '2025-13-01',
      '2025-00-10',
      '2025-1-01',
      '20250101',
      '2025-01-01T00:00Z',
      ' 2025-01-01',
      '2025-01-01\n',
      '',
    ]) {
      expect(parseIsoDate(bad)).toBeUndefined();
    }
  });

  it('reads years 0000 to 0099 as themselves, not as 1900 to 1999', () => {
    expect(parseIsoDate('0000-01-01')?.toISOString()).toBe('0000-01-01T00:00:00.000Z');
    expect(parseIsoDate('0099-12-31')?.toISOString()).toBe('0099-12-31T00:00:00.000Z');
    expect(parseIsoDate('0004-02-29')?.toISOString()).toBe('0004-02-29T00:00:00.000Z');
    expect(parseIsoDate('0001-02-29')).toBeUndefined();
  });

  it('parses RFC 3339 date-times with their offset', () => {
    expect(parseIsoDateTime('2026-01-04T12:00:00Z')?.toISOString()).toBe(
      '2026-01-04T12:00:00.000Z',
    );
    expect(parseIsoDateTime('2026-01-04t12:00:00.5+02:30')?.toISOString()).toBe(
      '2026-01-04T09:30:00.500Z',
    );
    expect(parseIsoDateTime('0050-06-01T00:00:00-01:00')?.toISOString()).toBe(
      '0050-06-01T01:00:00.000Z',
    );
  });

  it('refuses date-times without a zone, out of range, or in another ISO 8601 form', () => {
    for (const bad of [
      '2026-01-04T12:00:00',
      '2026-01-04',
      '2026-01-04T24:00:00Z',
      '2026-01-04T12:60:00Z',
      '2026-12-31T23:59:60Z',
      '2026-02-30T00:00:00Z',
      '2026-01-04T12:00:00+24:00',
      '2026-W01-1T00:00:00Z',
      '2026-01-04 12:00:00Z',
      '2026-01-04T12:00Z',
      '+002026-01-04T12:00:00Z',
    ]) {
      expect(parseIsoDateTime(bad)).toBeUndefined();
    }
  });
});
