import { contentSystemPrompt, searchQueryFor } from './content-prompt';

describe('searchQueryFor', () => {
  it('uses the task itself, whitespace collapsed and code removed', () => {
    expect(searchQueryFor('  Yapay zeka\n hakkında   bir blog yaz ')).toBe(
      'Yapay zeka hakkında bir blog yaz',
    );
    expect(searchQueryFor('Explain this:\n```js\nconst x = 1;\n```\nplease')).toBe(
      'Explain this: please',
    );
  });

  it('cuts a long task at a word boundary within the limit', () => {
    const query = searchQueryFor('word '.repeat(200), 50);

    expect(query.length).toBeLessThanOrEqual(50);
    expect(query.endsWith('word')).toBe(true);
  });
});

describe('contentSystemPrompt', () => {
  it('numbers the sources and asks for inline citations without a references list', () => {
    const prompt = contentSystemPrompt([{ title: 'T', url: 'https://t.example', snippet: 'S' }]);

    expect(prompt).toContain('[1] T\nURL: https://t.example\nS');
    expect(prompt).toContain('Do not write a references or sources list');
  });

  it('asks for no citations when there are no sources', () => {
    expect(contentSystemPrompt([])).toContain('cite nothing');
  });
});
