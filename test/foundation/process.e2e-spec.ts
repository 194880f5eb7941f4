import { connect } from 'node:net';
import { freePort, spawnApp, testBackends } from '@agent-orchestrator/testing';

/** Environment for a spawned app against the test backends, on free ports. */
async function spawnEnv(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const b = testBackends();
  return {
    ENVIRONMENT: 'test',
    MONGO_URI: b.mongoUri,
    MONGO_DB_NAME: b.mongoDbName,
    REDIS_URL: b.redisUrl,
    REDIS_GLOBAL_KEYPREFIX: b.redisKeyPrefix,
    PORT: String(await freePort()),
    WORKER_HTTP_PORT: String(await freePort()),
    ...extra,
  };
}

describe('the built app as a process', () => {
  it('exits 1 with one line naming the variable when the configuration is invalid', async () => {
    const app = spawnApp(['--mode=api'], await spawnEnv({ PORT: 'eighty' }));
    const { code } = await app.exited;
    expect(code).toBe(1);
    expect(app.stderr()).toBe('Invalid configuration: PORT must be an integer (got "eighty")\n');
    expect(app.stdout()).not.toContain('Listening');
  });

  it('exits 1 on an unknown --mode', async () => {
    const app = spawnApp(['--mode=everything'], await spawnEnv());
    expect((await app.exited).code).toBe(1);
    expect(app.stderr()).toContain('--mode must be one of api, worker, all');
  });

  it('in worker mode serves only health and metrics, on WORKER_HTTP_PORT', async () => {
    const env = await spawnEnv();
    const app = spawnApp(['--mode=worker'], env);
    const base = `http://127.0.0.1:${env.WORKER_HTTP_PORT}`;
    try {
      await app.waitForHttp(`${base}/health/live`);
      expect((await fetch(`${base}/health`)).status).toBe(200);
      expect(await (await fetch(`${base}/health`)).text()).toBe(
        'ok | mongo=up | redis=up | env=test',
      );
      expect((await fetch(`${base}/health/ready`)).status).toBe(200);
      const metrics = await fetch(`${base}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('process_cpu_user_seconds_total');
      for (const path of ['/v1/tasks', '/v1/agent/execute', '/docs-json']) {
        const res = await fetch(`${base}${path}`);
        expect(res.status).toBe(404);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
      }
      await expect(fetch(`http://127.0.0.1:${env.PORT}/health/live`)).rejects.toThrow();
      const startup = app
        .stdout()
        .split('\n')
        .find((l) => l.includes('Listening on port'));
      expect(JSON.parse(startup ?? '{}')).toMatchObject({
        mode: 'worker',
        settings: { APP_MODE: 'worker' },
      });
    } finally {
      app.kill('SIGTERM');
      await app.exited;
    }
  });

  it('on SIGTERM lets an in-flight request finish, then exits 0', async () => {
    const env = await spawnEnv();
    const app = spawnApp(['--mode=api'], env);
    await app.waitForHttp(`http://127.0.0.1:${env.PORT}/health/live`);

    // A request whose body is still arriving when the signal comes.
    const body = JSON.stringify({ task: 'still uploading' });
    const socket = connect(Number(env.PORT), '127.0.0.1');
    let response = '';
    socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      `POST /v1/not-a-route HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, 5)}`,
    );
    await new Promise((r) => setTimeout(r, 300));
    app.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    socket.end(body.slice(5));
    await closed;

    expect(response).toMatch(/^HTTP\/1\.1 404 /);
    expect(response).toContain('"code":"NOT_FOUND"');
    const exit = await app.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(app.stdout()).toContain('Shutdown complete');
  });
});
