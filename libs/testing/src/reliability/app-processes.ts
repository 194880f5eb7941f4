import { freePort } from '../../../../src/backing-services/free-port';
import { spawnApp, type SpawnedApp } from '../app/spawn-app';
import { redisEnv } from '../backends/test-backends';

/** Where a spawned app finds its MongoDB and Redis. */
export interface ProcessBackends {
  mongoUri: string;
  mongoDbName: string;
  redisUrl: string;
  /** The seeds, when the run is on a Redis Cluster. */
  redisClusterNodes?: string[];
  redisKeyPrefix: string;
}

export type AppProcessMode = 'api' | 'worker' | 'all';

export interface AppProcess extends SpawnedApp {
  /** The app's HTTP base URL (in worker mode: its health and metrics listener). */
  base: string;
  mode: AppProcessMode;
  /** Whether the process is still running. */
  alive(): boolean;
}

/**
 * Every process a reliability test spawns from the built app (`node dist/main.js`), so one
 * `finally` can stop whatever is still running, whatever the test did to them before.
 */
export class AppProcesses {
  private readonly all: AppProcess[] = [];

  constructor(
    private readonly backends: ProcessBackends,
    private readonly env: Record<string, string> = {},
  ) {}

  /** Spawns the app in `mode` and resolves once it answers /health/live. */
  async start(mode: AppProcessMode, extraEnv: Record<string, string> = {}): Promise<AppProcess> {
    const app = await this.spawn(mode, extraEnv);
    await app.waitForHttp(`${app.base}/health/live`, 60_000);
    return app;
  }

  /** Spawns the app in `mode` without waiting for it to listen. */
  async spawn(mode: AppProcessMode, extraEnv: Record<string, string> = {}): Promise<AppProcess> {
    const port = await freePort();
    const spawned = spawnApp([`--mode=${mode}`], {
      ENVIRONMENT: 'test',
      MONGO_URI: this.backends.mongoUri,
      MONGO_DB_NAME: this.backends.mongoDbName,
      ...redisEnv(this.backends),
      REDIS_GLOBAL_KEYPREFIX: this.backends.redisKeyPrefix,
      [mode === 'worker' ? 'WORKER_HTTP_PORT' : 'PORT']: String(port),
      ...this.env,
      ...extraEnv,
    });
    const app: AppProcess = {
      ...spawned,
      base: `http://127.0.0.1:${port}`,
      mode,
      alive: () => spawned.child.exitCode === null && spawned.child.signalCode === null,
    };
    this.all.push(app);
    return app;
  }

  get spawned(): readonly AppProcess[] {
    return this.all;
  }

  /** Stdout and stderr of every process spawned so far. */
  output(): string {
    return this.all.map((p) => `${p.stdout()}\n${p.stderr()}`).join('\n');
  }

  /** SIGKILLs every process still running and waits for each to exit. */
  async killAll(): Promise<void> {
    await Promise.all(
      this.all.map(async (p) => {
        if (p.alive()) p.kill('SIGKILL');
        await p.exited;
      }),
    );
  }
}
