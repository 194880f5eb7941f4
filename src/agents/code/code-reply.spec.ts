import { codeMarkdown, parseCodeReply } from './code-reply';

describe('parseCodeReply', () => {
  it('reads the JSON asked for, normalising the language', () => {
    expect(parseCodeReply('{"language":"Py","description":"Adds.","code":"x = 1\\n"}')).toEqual({
      parsedAs: 'json',
      language: 'python',
      description: 'Adds.',
      code: 'x = 1',
    });
  });

  it('reads JSON inside a fence, and a fence inside the JSON code', () => {
    const reply = '```json\n{"language":"js","description":"D","code":"```js\\nrun()\\n```"}\n```';

    expect(parseCodeReply(reply)).toMatchObject({
      parsedAs: 'json',
      language: 'javascript',
      code: 'run()',
    });
  });

  it('takes the first fenced block and its language when there is no JSON', () => {
    expect(parseCodeReply('Intro text.\n```rb\nputs 1\n```\n```py\nx\n```')).toEqual({
      parsedAs: 'fence',
      language: 'ruby',
      description: 'Intro text.',
      code: 'puts 1',
    });
  });

  it('defaults a fence without a language to python', () => {
    expect(parseCodeReply('```\nx = 1\n```')).toMatchObject({ language: 'python', code: 'x = 1' });
  });

  it('uses the whole text as python when nothing parses', () => {
    expect(parseCodeReply('  just some text  ')).toMatchObject({
      parsedAs: 'raw',
      language: 'python',
      code: 'just some text',
    });
  });

  it('falls back when the JSON lacks code', () => {
    expect(parseCodeReply('{"language":"go","description":"no code"}').parsedAs).toBe('raw');
  });
});

describe('codeMarkdown', () => {
  it('lays out the spec’s Description and Code sections exactly', () => {
    expect(codeMarkdown({ language: 'go', description: 'D.', code: 'x' })).toBe(
      '### Description\n\nD.\n\n### Code\n\n```go\nx\n```',
    );
  });

  it('uses a longer fence when the code itself contains one', () => {
    expect(
      codeMarkdown({ language: 'markdown', description: 'D.', code: '```\nhi\n```' }),
    ).toContain('````markdown\n```\nhi\n```\n````');
  });
});
