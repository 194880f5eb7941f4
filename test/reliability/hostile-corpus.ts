import { gzipSync } from 'node:zlib';
import type { RawRequest } from '../../libs/testing/src/reliability';

/** What the corpus is built around: the caller's own records, and another key's. */
export interface CorpusContext {
  keyA: string;
  keyB: string;
  /** A finished task of key A (its event stream replays and closes). */
  ownFinishedTask: string;
  ownSession: string;
  otherTask: string;
  otherSession: string;
  /** Optional endpoints that exist in this build (/v1/usage, /v1/system/metrics). */
  optionalGets: string[];
}

export interface HostileCase {
  name: string;
  request: RawRequest;
  /** The request is sent without an API key (else key A's). */
  anonymous?: boolean;
}

const JSON_TYPE = { 'Content-Type': 'application/json' };

/** A JSON body exactly as written (duplicate keys, `__proto__` keys and all). */
const raw = (text: string): string => text;

const OPERATORS: unknown[] = [
  { $gt: '' },
  { $ne: null },
  { $where: 'sleep(1000) || true' },
  { $regex: '.*' },
  { $exists: true },
  { $in: ['a', 'b'] },
  { $expr: { $eq: [1, 1] } },
];

/** Hostile values for each string field of POST /v1/agent/execute. */
const WRONG_TYPES: unknown[] = [
  42,
  1.5,
  true,
  false,
  null,
  [],
  ['x'],
  {},
  { a: 'b' },
  ...OPERATORS,
];

const HOSTILE_IDS = [
  '..%2F..%2Fetc%2Fpasswd',
  '%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
  '..%5C..%5Cwindows%5Cwin.ini',
  '%7B%22%24gt%22%3A%22%22%7D',
  '%24where',
  '%24ne',
  '%00',
  'abc%00def',
  '%E0%A4%A',
  '%FF%FE%FD',
  '%C0%AF',
  '__proto__',
  'constructor',
  'prototype',
  '*',
  '.%2A',
  "1'%20OR%20'1'%3D'1",
  '%0D%0ASet-Cookie%3A%20pwned%3D1',
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
  'a'.repeat(4000),
];

function execute(
  name: string,
  body: string | Buffer,
  headers: Record<string, string> = JSON_TYPE,
): HostileCase {
  return {
    name: `POST /v1/agent/execute ${name}`,
    request: { method: 'POST', path: '/v1/agent/execute', headers, body },
  };
}

function executeJson(name: string, value: unknown): HostileCase {
  return execute(name, JSON.stringify(value));
}

function nested(depth: number, open: string, close: string, inner = '1'): string {
  return open.repeat(depth) + inner + close.repeat(depth);
}

export function hostileCorpus(ctx: CorpusContext): HostileCase[] {
  const cases: HostileCase[] = [];
  const add = (...c: HostileCase[]) => cases.push(...c);

  // Wrong types, operators and hostile strings in every field of the body.
  for (const field of ['task', 'session_id', 'agent', 'webhook_url']) {
    for (const value of WRONG_TYPES) {
      const body = field === 'task' ? { task: value } : { task: 'write a poem', [field]: value };
      add(executeJson(`${field}=${JSON.stringify(value)}`, body));
    }
  }
  for (const value of ['', ' ', '\t\n', '\u0000', 'x'.repeat(8001), 'x'.repeat(60_000)]) {
    add(
      executeJson(`task=${JSON.stringify(value.slice(0, 12))} (${value.length} chars)`, {
        task: value,
      }),
    );
  }
  for (const value of [
    '../../etc/passwd',
    '..%2F..',
    'a'.repeat(129),
    'a b',
    '$where',
    '\u0000',
    'ä',
    '{"$gt":""}',
  ]) {
    add(
      executeJson(`session_id=${JSON.stringify(value.slice(0, 20))}`, {
        task: 'x',
        session_id: value,
      }),
    );
  }
  for (const value of [
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    'CodeAgent\u0000',
    'x'.repeat(101),
  ]) {
    add(executeJson(`agent=${JSON.stringify(value.slice(0, 20))}`, { task: 'x', agent: value }));
  }
  for (const value of [
    'javascript:alert(1)',
    'file:///etc/passwd',
    'gopher://127.0.0.1:6379/_FLUSHALL',
    'http://127.0.0.1:6379/',
    'http://[::1]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://user:pass@127.0.0.1/',
    'not a url',
    `https://example.com/${'a'.repeat(2100)}`,
  ]) {
    add(
      executeJson(`webhook_url=${JSON.stringify(value.slice(0, 30))}`, {
        task: 'x',
        webhook_url: value,
      }),
    );
  }
  for (const value of [
    ...OPERATORS.map((op) => ({ nested: op })),
    { $gt: '' },
    { $where: 'sleep(1000)' },
    { 'a.b': 'dotted' },
    { '': 'empty key' },
    [1, 2],
    'metadata',
    5,
    { a: { b: { c: 1 } } },
    { big: 'y'.repeat(5000) },
    Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, i])),
  ]) {
    add(
      executeJson(`metadata=${JSON.stringify(value).slice(0, 30)}`, { task: 'x', metadata: value }),
    );
  }

  // Keys that target the prototype chain, at the top level and inside metadata.
  add(
    execute('with a top-level __proto__ key', raw('{"task":"x","__proto__":{"polluted":"yes"}}')),
    execute('with only a __proto__ key', raw('{"__proto__":{"task":"x","polluted":"yes"}}')),
    execute(
      'with a constructor.prototype key',
      raw('{"task":"x","constructor":{"prototype":{"polluted":"yes"}}}'),
    ),
    execute('with a prototype key', raw('{"task":"x","prototype":{"polluted":"yes"}}')),
    execute(
      'with __proto__ inside metadata',
      raw('{"task":"x","metadata":{"__proto__":{"polluted":"yes"}}}'),
    ),
    execute(
      'with constructor inside metadata',
      raw('{"task":"x","metadata":{"constructor":{"prototype":{"polluted":"yes"}}}}'),
    ),
    execute(
      'with a duplicated task key turning into an operator',
      raw('{"task":"x","task":{"$gt":""}}'),
    ),
    execute('with a $where field', raw('{"task":"x","$where":"1"}')),
    execute('with a dotted field', raw('{"task":"x","metadata.api_key_id":"0000000000000000"}')),
    execute('with a nested api_key_id', raw('{"task":"x","metadata":{"api_key_id":{"$ne":null}}}')),
  );

  // Shapes that are not an object, and nesting deep enough to hurt a recursive walker.
  for (const body of [
    '[]',
    '[{"task":"x"}]',
    '"task"',
    '123',
    'null',
    'true',
    '{}',
    '{"task":"x"',
  ]) {
    add(execute(`with the body ${body}`, body));
  }
  add(
    execute(
      'with metadata nested 5000 arrays deep',
      `{"task":"x","metadata":${nested(5000, '[', ']')}}`,
    ),
    execute(
      'with an unknown field nested 5000 objects deep',
      `{"task":"x","extra":${nested(5000, '{"a":', '}')}}`,
    ),
    execute('with a task nested 5000 objects deep', `{"task":${nested(5000, '{"a":', '}')}}`),
    execute('with a body nested 30000 arrays deep', nested(30_000, '[', ']')),
    execute(
      'with metadata nested 10000 objects deep',
      `{"task":"x","metadata":${nested(10_000, '{"a":', '}')}}`,
    ),
  );

  // Bytes that are not UTF-8, and escapes that are not characters.
  for (const [name, bytes] of [
    [
      'invalid UTF-8 bytes in the task',
      Buffer.concat([Buffer.from('{"task":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]),
    ],
    [
      'an overlong UTF-8 slash',
      Buffer.concat([Buffer.from('{"task":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]),
    ],
    [
      'a UTF-8 encoded surrogate',
      Buffer.concat([Buffer.from('{"task":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]),
    ],
    [
      'invalid UTF-8 in a key',
      Buffer.concat([Buffer.from('{"'), Buffer.from([0xff]), Buffer.from('":"x","task":"y"}')]),
    ],
    [
      'invalid UTF-8 in a metadata key',
      Buffer.concat([
        Buffer.from('{"task":"y","metadata":{"'),
        Buffer.from([0xfe, 0xff]),
        Buffer.from('":"x"}}'),
      ]),
    ],
    ['a NUL byte in a metadata key', Buffer.from('{"task":"y","metadata":{"a\\u0000b":"x"}}')],
    ['a lone surrogate escape', Buffer.from('{"task":"\\ud800"}')],
    ['a lone surrogate in session_id', Buffer.from('{"task":"x","session_id":"\\udfff"}')],
  ] as const) {
    add(execute(`with ${name}`, bytes));
  }

  // Content types and encodings the API does not take.
  const body = '{"task":"write a poem"}';
  for (const type of [
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=xyz',
    'application/xml',
    'application/jsonp',
    'application/json; charset=latin1',
    'application/json; charset=utf-7',
    'application/json; charset=utf-16',
    'text/json',
    '',
    '*/*',
  ]) {
    add(
      execute(
        `as Content-Type ${JSON.stringify(type)}`,
        body,
        type ? { 'Content-Type': type } : {},
      ),
    );
  }
  add(
    execute('with no Content-Type', body, {}),
    execute('with Content-Encoding gzip over plain text', body, {
      ...JSON_TYPE,
      'Content-Encoding': 'gzip',
    }),
    execute('with Content-Encoding br', body, { ...JSON_TYPE, 'Content-Encoding': 'br' }),
    execute('with Content-Encoding x-unknown', body, {
      ...JSON_TYPE,
      'Content-Encoding': 'x-unknown',
    }),
    execute('with a gzip bomb', gzipSync(Buffer.from(`{"task":"${'a'.repeat(5_000_000)}"}`)), {
      ...JSON_TYPE,
      'Content-Encoding': 'gzip',
    }),
    {
      name: 'form body urlencoded as an object',
      request: {
        method: 'POST',
        path: '/v1/agent/execute',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'task[$gt]=',
      },
    },
  );

  // Oversized bodies, declared and chunked.
  add(
    execute('with a 70 KB body', JSON.stringify({ task: 'x'.repeat(70_000) })),
    execute('with a 2 MB body', JSON.stringify({ task: 'x'.repeat(2_000_000) })),
    {
      name: 'POST /v1/agent/execute with a 200 KB chunked body',
      request: {
        method: 'POST',
        path: '/v1/agent/execute',
        headers: JSON_TYPE,
        body: JSON.stringify({ task: 'x'.repeat(200_000) }),
        chunked: 16_384,
      },
    },
  );

  // Headers that ride along with a body.
  add(
    execute('with an empty Idempotency-Key', body, { ...JSON_TYPE, 'Idempotency-Key': '' }),
    execute('with a 256-character Idempotency-Key', body, {
      ...JSON_TYPE,
      'Idempotency-Key': 'k'.repeat(256),
    }),
    execute('with two Idempotency-Keys', body, {
      ...JSON_TYPE,
      'Idempotency-Key': ['a', 'b'],
    } as never),
  );

  // Path ids on every endpoint that takes one.
  for (const id of [...HOSTILE_IDS, ctx.otherTask]) {
    add(
      {
        name: `GET /v1/tasks/${id.slice(0, 40)}`,
        request: { method: 'GET', path: `/v1/tasks/${id}` },
      },
      {
        name: `POST /v1/tasks/${id.slice(0, 40)}/cancel`,
        request: { method: 'POST', path: `/v1/tasks/${id}/cancel` },
      },
      {
        name: `GET /v1/tasks/${id.slice(0, 40)}/events`,
        request: { method: 'GET', path: `/v1/tasks/${id}/events` },
      },
    );
  }
  for (const id of [...HOSTILE_IDS, ctx.otherSession]) {
    add({
      name: `GET /v1/sessions/${id.slice(0, 40)}`,
      request: { method: 'GET', path: `/v1/sessions/${id}` },
    });
  }
  add(
    {
      name: 'GET traversal out of /v1',
      request: { method: 'GET', path: '/v1/tasks/../../../etc/passwd' },
    },
    {
      name: 'GET encoded traversal to another route',
      request: { method: 'GET', path: '/v1/tasks/..%2F..%2Fagents' },
    },
    {
      name: 'GET double-encoded traversal',
      request: { method: 'GET', path: '/v1/tasks/%252E%252E%252Fetc%252Fpasswd' },
    },
  );

  // A body on the cancel of another key's task must not cancel it.
  add({
    name: "POST cancel of another key's task with a hostile body",
    request: {
      method: 'POST',
      path: `/v1/tasks/${ctx.otherTask}/cancel`,
      headers: JSON_TYPE,
      body: JSON.stringify({ task_id: { $ne: null }, 'metadata.api_key_id': { $exists: true } }),
    },
  });

  // Operators and junk in query strings.
  for (const query of [
    'status[$ne]=x',
    'status[$gt]=',
    'status=%7B%22%24ne%22%3Anull%7D',
    'status=processing&status=completed',
    'status=__proto__',
    'status=',
    'page[$gt]=0',
    'page=-1',
    'page=0',
    'page=1e309',
    'page=NaN',
    'page=1.5',
    'page=99999999999999999999999',
    'page=%00',
    'page_size=0',
    'page_size=101',
    'page_size[$gt]=1',
    'page_size=1&page_size=100',
    'agent_type[$regex]=.*',
    'agent_type=%00',
    'agent_type=constructor',
    'agent_type=code&agent_type=content',
    '__proto__[polluted]=yes',
    'constructor[prototype][polluted]=yes',
    '%5F%5Fproto%5F%5F=x',
    'unknown=1',
    `huge=${'q'.repeat(6000)}`,
  ]) {
    add({
      name: `GET /v1/tasks?${query.slice(0, 50)}`,
      request: { method: 'GET', path: `/v1/tasks?${query}` },
    });
  }
  for (const query of [
    'page[$gt]=0',
    'page=-5',
    'page_size=1000',
    'page_size[$ne]=1',
    'api_key_id=x',
    '__proto__[x]=1',
  ]) {
    add({
      name: `GET own session ?${query}`,
      request: { method: 'GET', path: `/v1/sessions/${ctx.ownSession}?${query}` },
    });
  }
  for (const query of [
    'last_event_id[$gt]=0',
    'last_event_id=%24gt',
    `last_event_id=${'9'.repeat(30)}-0`,
    'last_event_id=0-0%0D%0Aevent%3A%20x',
    'api_key[$ne]=x',
  ]) {
    add({
      name: `GET own events ?${query}`,
      request: { method: 'GET', path: `/v1/tasks/${ctx.ownFinishedTask}/events?${query}` },
    });
  }
  for (const lastEventId of ['$gt', '{"$gt":""}', '-', '+', '0', '1-2-3', `${'1'.repeat(25)}-0`]) {
    add({
      name: `GET own events with Last-Event-ID ${lastEventId.slice(0, 20)}`,
      request: {
        method: 'GET',
        path: `/v1/tasks/${ctx.ownFinishedTask}/events`,
        headers: { 'Last-Event-ID': lastEventId },
      },
    });
  }
  for (const path of [
    '/v1/agents?x[$gt]=1',
    '/v1/agents/%2E%2E',
    '/v1/agents?__proto__[polluted]=1',
    ...ctx.optionalGets.flatMap((p) => [
      `${p}?from[$gt]=0`,
      `${p}?from=not-a-date&to[$ne]=x`,
      `${p}?__proto__[polluted]=1`,
      `${p}/..%2F..%2Fetc%2Fpasswd`,
    ]),
  ]) {
    add({ name: `GET ${path}`, request: { method: 'GET', path } });
  }

  // Credentials: missing, malformed, and the query-parameter key where it is not allowed.
  for (const [name, headers] of [
    ['an empty X-API-Key', { 'X-API-Key': '' }],
    ['a blank X-API-Key', { 'X-API-Key': ' ' }],
    ['a key with a trailing space', { 'X-API-Key': `${ctx.keyA} ` }],
    ['a 4 KB key', { 'X-API-Key': 'k'.repeat(4096) }],
    ['an operator as the key', { 'X-API-Key': '{"$ne":null}' }],
  ] as const) {
    add({
      name: `GET /v1/tasks with ${name}`,
      request: { method: 'GET', path: '/v1/tasks', headers },
      anonymous: true,
    });
  }
  add(
    {
      name: 'GET /v1/tasks with the key as a query parameter',
      request: { method: 'GET', path: `/v1/tasks?api_key=${ctx.keyA}` },
      anonymous: true,
    },
    {
      name: 'GET /v1/tasks with an operator as the query key',
      request: { method: 'GET', path: '/v1/tasks?api_key[$ne]=x' },
      anonymous: true,
    },
    {
      name: 'GET own events with an operator as the query key',
      request: { method: 'GET', path: `/v1/tasks/${ctx.ownFinishedTask}/events?api_key[$ne]=x` },
      anonymous: true,
    },
  );

  // Methods no route has.
  for (const [method, path] of [
    ['PUT', '/v1/agent/execute'],
    ['DELETE', `/v1/tasks/${ctx.otherTask}`],
    ['PATCH', `/v1/tasks/${ctx.ownFinishedTask}`],
    ['DELETE', `/v1/sessions/${ctx.otherSession}`],
    ['PUT', '/v1/agents'],
    ['POST', '/v1/tasks'],
  ] as const) {
    add({
      name: `${method} ${path}`,
      request: { method, path, headers: JSON_TYPE, body: '{"task":"x"}' },
    });
  }
  return cases;
}
