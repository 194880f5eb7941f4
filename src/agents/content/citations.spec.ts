import {
  referencedSources,
  referencesSection,
  resolveCitations,
  stripReferencesSection,
} from './citations';

const sources = ['a', 'b', 'c'].map((s) => ({
  title: `Title ${s}`,
  url: `https://example.org/${s}`,
  snippet: `Snippet ${s}`,
}));

describe('resolveCitations', () => {
  it('renumbers cited sources 1..k by first appearance and lists exactly those', () => {
    const { body, citations } = resolveCitations('C first [3], then A [1], C again [3].', sources);

    expect(body).toBe('C first [1], then A [2], C again [1].');
    expect(citations.map((c) => [c.index, c.url, c.source])).toEqual([
      [1, 'https://example.org/c', 'tavily'],
      [2, 'https://example.org/a', 'tavily'],
    ]);
  });

  it('drops markers that point at no source, with the space before them', () => {
    expect(resolveCitations('Claim [7]. Other [0]. Fine [2].', sources).body).toBe(
      'Claim. Other. Fine [1].',
    );
  });

  it('splits grouped and ranged markers, keeping only real sources', () => {
    expect(resolveCitations('X [1, 9, 3]. Y [1-2]. Z [2–3].', sources).body).toBe(
      'X [1][2]. Y [1][3]. Z [3][2].',
    );
  });

  it('leaves code, links and footnotes alone', () => {
    const text =
      'Use `arr[1]` and\n```py\nx = y[2]\n```\nsee [docs](https://d.example) and [^1] [2].';

    expect(resolveCitations(text, sources).body).toBe(
      'Use `arr[1]` and\n```py\nx = y[2]\n```\nsee [docs](https://d.example) and [^1] [1].',
    );
  });

  it('drops every marker when there are no sources', () => {
    expect(resolveCitations('A claim [1].', [])).toEqual({ body: 'A claim.', citations: [] });
  });
});

describe('referencedSources', () => {
  it('lists the cited sources, in citation order, when the text cites some', () => {
    const resolved = resolveCitations('Only C [3].', sources);

    expect(referencedSources(resolved, sources).map((c) => [c.index, c.url])).toEqual([
      [1, 'https://example.org/c'],
    ]);
  });

  it('lists every source, in search order, when the text cites none', () => {
    const resolved = resolveCitations('No markers at all. Or a bad one [9].', sources);

    expect(referencedSources(resolved, sources).map((c) => [c.index, c.url, c.source])).toEqual([
      [1, 'https://example.org/a', 'tavily'],
      [2, 'https://example.org/b', 'tavily'],
      [3, 'https://example.org/c', 'tavily'],
    ]);
  });

  it('lists nothing when the search found nothing', () => {
    expect(referencedSources(resolveCitations('Text.', []), [])).toEqual([]);
  });
});

describe('stripReferencesSection', () => {
  it.each([
    ['## References', 'Text [1].\n\n## References\n\n1. Fake — https://fake.example'],
    ['## Sources', 'Text [1].\n\n## Sources\n[1] Fake: https://fake.example'],
    ['a bold title', 'Text [1].\n\n**References:**\n- https://fake.example'],
    ['## Kaynaklar', 'Text [1].\n\n## Kaynaklar\n\n- https://fake.example'],
  ])('removes a model-written section titled by %s', (_title, text) => {
    expect(stripReferencesSection(text)).toBe('Text [1].');
  });

  it('keeps the sections that follow a references section of the same level', () => {
    expect(stripReferencesSection('Intro\n\n## Sources\n- x\n\n## Conclusion\n\nEnd.')).toBe(
      'Intro\n\n## Conclusion\n\nEnd.',
    );
  });

  it('does not touch a heading-like line inside code', () => {
    const text = 'Intro\n\n```md\n## References\n```';

    expect(stripReferencesSection(text)).toBe(text);
  });
});

describe('referencesSection', () => {
  it('lists each citation by number, title and URL', () => {
    const { citations } = resolveCitations('[2] [1]', sources);

    expect(referencesSection(citations)).toBe(
      '## References\n\n- [1] Title b — https://example.org/b\n- [2] Title a — https://example.org/a',
    );
  });

  it('is empty when nothing is cited', () => {
    expect(referencesSection([])).toBe('');
  });
});
