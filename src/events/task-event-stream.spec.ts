import { closingId, compareStreamIds, isValidStreamId } from './task-event-stream';

describe('compareStreamIds', () => {
  it('orders by the millisecond part numerically, not as text', () => {
    expect(compareStreamIds('9-5', '10-0')).toBe(-1);
    expect(compareStreamIds('10-0', '9-5')).toBe(1);
    expect(compareStreamIds('1712345678901-0', '1712345678900-9')).toBe(1);
  });

  it('orders ids of the same millisecond by their sequence number', () => {
    expect(compareStreamIds('1712345678901-2', '1712345678901-10')).toBe(-1);
    expect(compareStreamIds('1712345678901-10', '1712345678901-2')).toBe(1);
    expect(compareStreamIds('1712345678901-3', '1712345678901-3')).toBe(0);
  });

  it('reads leading zeros (a client-sent Last-Event-ID may have them) as the same number', () => {
    expect(compareStreamIds('0009-05', '9-5')).toBe(0);
    expect(compareStreamIds('00-0', '0-0')).toBe(0);
    expect(compareStreamIds('010-0', '9-0')).toBe(1);
  });

  it('compares 20-digit parts beyond the safe integer range exactly', () => {
    expect(compareStreamIds('18446744073709551615-0', '18446744073709551614-0')).toBe(1);
    expect(compareStreamIds('1-18446744073709551614', '1-18446744073709551615')).toBe(-1);
  });

  it('agrees with a BigInt comparison on random ids', () => {
    const big = (id: string) => id.split('-').map(BigInt);
    const reference = (a: string, b: string): number => {
      const [am, as] = big(a);
      const [bm, bs] = big(b);
      if (am !== bm) return am < bm ? -1 : 1;
      return as === bs ? 0 : as < bs ? -1 : 1;
    };
    const part = () =>
      String(Math.floor(Math.random() * 10 ** (1 + Math.floor(Math.random() * 4))));
    for (let i = 0; i < 2000; i++) {
      const a = `${part()}-${part()}`;
      const b = Math.random() < 0.3 ? `${a.split('-')[0]}-${part()}` : `${part()}-${part()}`;
      expect(compareStreamIds(a, b)).toBe(reference(a, b));
    }
  });
});

describe('isValidStreamId', () => {
  it('accepts <ms>-<n> with each part up to 2^64 - 1', () => {
    expect(isValidStreamId('1712345678901-0')).toBe(true);
    expect(isValidStreamId('18446744073709551615-18446744073709551615')).toBe(true);
    expect(isValidStreamId('0018446744073709551615-0')).toBe(false); // 22 digits
  });

  it('refuses a part Redis cannot hold, and anything that is not an id', () => {
    expect(isValidStreamId('99999999999999999999-0')).toBe(false);
    expect(isValidStreamId('1-18446744073709551616')).toBe(false);
    expect(isValidStreamId('1712345678901')).toBe(false);
    expect(isValidStreamId('abc-1')).toBe(false);
  });
});

describe('closingId', () => {
  it('is the id just after the final entry, in the same millisecond', () => {
    expect(closingId('1712345678901-0')).toBe('1712345678901-1');
    expect(closingId('0-0')).toBe('0-1');
    expect(closingId('5-18446744073709551614')).toBe('5-18446744073709551615');
    expect(compareStreamIds(closingId('9-41'), '9-41')).toBe(1);
  });
});
