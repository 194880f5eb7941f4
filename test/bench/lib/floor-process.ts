import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../../src/backing-services/free-port';
import type { BenchBackends } from './backends';
import { BENCH_API_KEY } from './service';

/** A floor (test/bench/floor/*.ts) running in its own process. */
export interface FloorProcess {
  pid: number;
  /** http://127.0.0.1:<port> for the accept floor; unused by the worker floor. */
  origin: string;
  stop(): Promise<void>;
}

export interface FloorOptions {
  backends: BenchBackends;
  dbName: string;
  keyPrefix: string;
  env?: Record<string, string>;
}

/**
 * Forks `floor/<script>.js` with the database, Redis and key prefix of a benchmark phase, and
 * waits for its `ready` message. Disconnecting the IPC channel asks it to stop.
 */
export async function startFloor(
  script: 'accept-floor' | 'pipeline-floor',
  options: FloorOptions,
): Promise<FloorProcess> {
  const port = await freePort();
  const child: ChildProcess = fork(join(__dirname, '..', 'floor', `${script}.js`), [], {
    env: {
      PATH: process.env.PATH,
      MONGO_URI: options.backends.mongoUri,
      MONGO_DB_NAME: options.dbName,
      REDIS_URL: options.backends.redisUrl,
      REDIS_GLOBAL_KEYPREFIX: options.keyPrefix,
      API_KEYS: BENCH_API_KEY,
      PORT: String(port),
      ...options.env,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited during start-up (${code})`)));
    child.once('message', () => resolve());
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    pid: child.pid!,
    origin: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
