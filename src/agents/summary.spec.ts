import { summarize } from './summary';

describe('summarize', () => {
  it('takes the first prose paragraph, skipping headings and notes, without markdown or citations', () => {
    const text =
      '> **Note:** no search.\n\n# Title\n\nSolar **power** is growing [1]. It is [cheap](https://x).\n\n## More';

    expect(summarize(text)).toBe('Solar power is growing. It is cheap.');
  });

  it('keeps whole sentences within the limit', () => {
    expect(
      summarize('First sentence here. Second sentence is longer than the limit allows.', 30),
    ).toBe('First sentence here.');
  });

  it('cuts one overlong sentence at a word with an ellipsis', () => {
    const summary = summarize('word '.repeat(100));

    expect(summary.length).toBeLessThanOrEqual(200);
    expect(summary.endsWith('word…')).toBe(true);
  });
});
