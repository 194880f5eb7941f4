/**
 * The keys that appear more than once in the same object of a JSON text, as `path.key`.
 * JSON.parse keeps the last of duplicate keys silently; Elasticsearch and other aggregators
 * reject such a document, so log lines are checked with this strict scan. Throws on text that
 * is not JSON.
 */
export function duplicateKeys(text: string): string[] {
  const found: string[] = [];
  let at = 0;

  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at offset ${at} of ${text.slice(0, 200)}`);
  };
  const skipSpace = (): void => {
    while (at < text.length && ' \t\n\r'.includes(text[at])) at++;
  };
  const string = (): string => {
    const start = at;
    at++; // opening quote
    while (at < text.length && text[at] !== '"') at += text[at] === '\\' ? 2 : 1;
    if (text[at] !== '"') fail('unterminated string');
    at++;
    return JSON.parse(text.slice(start, at)) as string;
  };
  const value = (path: string): void => {
    skipSpace();
    const c = text[at];
    if (c === '{') return object(path);
    if (c === '[') return array(path);
    if (c === '"') return void string();
    const literal = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(at));
    if (!literal) fail('unexpected character');
    at += literal![0].length;
  };
  const object = (path: string): void => {
    const keys = new Set<string>();
    at++;
    skipSpace();
    if (text[at] === '}') return void at++;
    for (;;) {
      skipSpace();
      if (text[at] !== '"') fail('expected a key');
      const key = string();
      const keyPath = path ? `${path}.${key}` : key;
      if (keys.has(key)) found.push(keyPath);
      keys.add(key);
      skipSpace();
      if (text[at++] !== ':') fail('expected :');
      value(keyPath);
      skipSpace();
      const next = text[at++];
      if (next === '}') return;
      if (next !== ',') fail('expected , or }');
    }
  };
  const array = (path: string): void => {
    at++;
    skipSpace();
    if (text[at] === ']') return void at++;
    for (let i = 0; ; i++) {
      value(`${path}[${i}]`);
      skipSpace();
      const next = text[at++];
      if (next === ']') return;
      if (next !== ',') fail('expected , or ]');
    }
  };

  value('');
  skipSpace();
  if (at !== text.length) fail('trailing text');
  return found;
}
