import {
  createTestApp,
  duplicateKeys,
  type LlmServers,
  type LogLine,
  startLlmServers,
  type TestApp,
  testBackends,
  waitFor,
} from '@agent-orchestrator/testing';
import request from 'supertest';
import { AppProcesses } from '../../libs/testing/src/reliability';
import { processBackends } from '../reliability/chaos-fixture';
import { waitForStatus } from '../tasks/pipeline-fixture';

const SNAKE_CASE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/** Keys a line must not have in camelCase or any other case: its own, and its req's and res's. */
function nonSnakeKeys(line: LogLine): string[] {
  const nested = ['req', 'res'].flatMap((key) => {
    const value = line[key];
    if (!value || typeof value !== 'object') return [];
    return Object.keys(value)
      .filter((k) => k !== 'headers')
      .map((k) => `${key}.${k}`);
  });
  return [...Object.keys(line), ...nested].filter((key) =>
    key.split('.').some((part) => !SNAKE_CASE.test(part)),
  );
}

/** What an aggregator would refuse or miss in these lines. */
function problems(lines: LogLine[], raw: string[]): Record<string, unknown[]> {
  return {
    duplicateKeys: raw.flatMap((text) => {
      const keys = duplicateKeys(text);
      return keys.length > 0 ? [{ keys, line: text.slice(0, 300) }] : [];
    }),
    notSnakeCase: [...new Set(lines.flatMap(nonSnakeKeys))],
    withoutHostnameOrPid: lines
      .filter((l) => typeof l.hostname !== 'string' || typeof l.pid !== 'number')
      .map((l) => l.msg),
  };
}

const CLEAN = { duplicateKeys: [], notSnakeCase: [], withoutHostnameOrPid: [] };

describe('log lines an aggregator accepts', () => {
  let servers: LlmServers;
  beforeAll(async () => {
    servers = await startLlmServers();
  });
  afterAll(() => servers.close());

  describe('in one process (mode all, info level)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({
        mode: 'all',
        env: { ...servers.env, API_KEYS: 'log-key', LOG_LEVEL: 'INFO' },
      });
    });
    afterAll(() => t.close());

    const http = () => request(t.app.getHttpServer());

    it('has no key twice, snake_case keys, hostname and pid on every line', async () => {
      const code = await http()
        .post('/v1/agent/execute')
        .set('X-API-Key', 'log-key')
        .set('X-Request-Id', 'log-lines-1')
        .send({ task: 'Write a Python function that adds two numbers' })
        .expect(200);
      const content = await http()
        .post('/v1/agent/execute')
        .set('X-API-Key', 'log-key')
        .send({ task: 'Write a short blog post about tea' })
        .expect(200);
      for (const res of [code, content]) {
        const task = await waitForStatus(t, res.body.task_id as string, undefined, {
          'X-API-Key': 'log-key',
        });
        expect(task.status).toBe('completed');
      }
      await http().get('/v1/tasks/nope').set('X-API-Key', 'log-key').expect(404);
      await http().get('/v1/tasks').set('X-API-Key', 'wrong').expect(401);
      await http().post('/v1/agent/execute').set('X-API-Key', 'log-key').send({}).expect(422);

      const raw = t.logs.lines.map((l) => JSON.stringify(l));
      expect(t.logs.duplicates).toEqual([]);
      expect(problems(t.logs.lines, raw)).toEqual(CLEAN);

      // The business log of the request carries its request_id, once.
      const created = t.logs.lines.find(
        (l) => l.msg === 'task created' && l.task_id === code.body.task_id,
      );
      expect(created).toMatchObject({ request_id: 'log-lines-1', context: 'BusinessLog' });
      const completed = t.logs.lines.find(
        (l) => l.msg === 'request completed' && l.request_id === 'log-lines-1',
      );
      expect(completed).toMatchObject({
        req: { method: 'POST', url: '/v1/agent/execute', remote_address: '127.0.0.1' },
        res: { status_code: 200 },
        response_time_ms: expect.any(Number) as number,
      });
    });

    it('leaves request and response headers out at info level', () => {
      const withHeaders = t.logs.lines.filter(
        (l) =>
          (l.req as { headers?: unknown })?.headers || (l.res as { headers?: unknown })?.headers,
      );
      expect(withHeaders).toEqual([]);
      expect(t.logs.text()).not.toContain('log-key');
    });
  });

  it('logs request and response headers at debug level, credentials redacted', async () => {
    const t = await createTestApp({ env: { API_KEYS: 'debug-key', LOG_LEVEL: 'DEBUG' } });
    try {
      await request(t.app.getHttpServer())
        .get('/v1/tasks')
        .set('X-API-Key', 'debug-key')
        .set('X-Request-Id', 'debug-1')
        .expect(200);
      const line = await waitFor(
        () => t.logs.lines.find((l) => l.msg === 'request completed' && l.request_id === 'debug-1'),
        'the request line',
      );
      expect(line).toMatchObject({
        req: { headers: { 'x-api-key': '[redacted]', 'x-request-id': 'debug-1' } },
        res: { headers: { 'x-request-id': 'debug-1' } },
      });
      expect(t.logs.duplicates).toEqual([]);
      expect(t.logs.text()).not.toContain('debug-key');
    } finally {
      await t.close();
    }
  });

  it('as api and worker processes, from boot to shutdown', async () => {
    const backends = testBackends();
    const processes = new AppProcesses(processBackends(backends), servers.env);
    try {
      const [api, worker] = await Promise.all([processes.start('api'), processes.start('worker')]);
      const res = await fetch(`${api.base}/v1/agent/execute`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ task: 'Write a Python function that subtracts two numbers' }),
      });
      const { task_id: taskId } = (await res.json()) as { task_id: string };
      await waitFor(async () => {
        const task = (await (await fetch(`${api.base}/v1/tasks/${taskId}`)).json()) as {
          status: string;
        };
        return task.status === 'completed';
      }, 'the task to complete');
      for (const p of [api, worker]) p.kill('SIGTERM');
      await Promise.all([api.exited, worker.exited]);

      for (const p of [api, worker]) {
        const raw = p
          .stdout()
          .split('\n')
          .filter((l) => l.trim());
        const lines = raw.map((l) => JSON.parse(l) as LogLine);
        expect({ mode: p.mode, ...problems(lines, raw) }).toEqual({ mode: p.mode, ...CLEAN });
        const boot = lines.find((l) => String(l.msg).startsWith('Listening on port'));
        expect(boot).toMatchObject({ mode: p.mode, pid: p.child.pid });
        expect(lines.some((l) => l.task_id === taskId)).toBe(true);
      }
    } finally {
      await processes.killAll();
    }
  }, 90_000);
});
