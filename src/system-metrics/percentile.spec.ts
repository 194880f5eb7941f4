import { nearestRank } from './percentile';

describe('nearestRank', () => {
  it('picks the nearest-rank percentile of a sorted list', () => {
    const values = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000];
    expect(values[nearestRank(50, values.length)]).toBe(500);
    expect(values[nearestRank(95, values.length)]).toBe(1000);
    expect(values[nearestRank(90, values.length)]).toBe(900);
  });

  it('stays inside the list for one value and for p at the ends', () => {
    expect(nearestRank(95, 1)).toBe(0);
    expect(nearestRank(0, 5)).toBe(0);
    expect(nearestRank(100, 5)).toBe(4);
    expect(nearestRank(95, 20)).toBe(18);
    expect(nearestRank(95, 21)).toBe(19);
  });

  it('refuses an empty list', () => {
    expect(() => nearestRank(50, 0)).toThrow(RangeError);
  });
});
