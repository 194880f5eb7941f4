import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../../src/backing-services/free-port';
import type { BenchBackends } from './backends';
import { REPO_ROOT } from './report';

const DIST = join(REPO_ROOT, 'dist');
/** A copy of dist/ taken when the run starts (see snapshotBuild), inside the repository so the
 *  bundle still finds node_modules by walking up. */
const SNAPSHOT = join(REPO_ROOT, '.build', 'bench-app');
let builtApp = join(DIST, 'main.js');
export const BENCH_API_KEY = 'bench-api-key-0123456789';

/**
 * Copies dist/ aside and runs the service from the copy, so every benchmark of a run measures
 * the same build even when something (npm test's `nest build`) rebuilds dist/ meanwhile.
 */
export function snapshotBuild(): string {
  if (!existsSync(join(DIST, 'main.js'))) {
    throw new Error(`${join(DIST, 'main.js')} is missing: run npm run build first`);
  }
  rmSync(SNAPSHOT, { recursive: true, force: true });
  cpSync(DIST, SNAPSHOT, { recursive: true });
  builtApp = join(SNAPSHOT, 'main.js');
  return builtApp;
}

/** One process of the service (`node dist/main.js --mode=…`), as production runs it. */
export interface ServiceHandle {
  mode: 'api' | 'worker';
  pid: number;
  /** http://127.0.0.1:<port> of its HTTP listener (the API, or the worker's health/metrics). */
  origin: string;
  /** The last few KB of what it wrote (logs are at WARNING). */
  output(): string;
  stop(): Promise<void>;
}

export interface ServiceOptions {
  backends: BenchBackends;
  dbName: string;
  keyPrefix: string;
  llmUrl?: string;
  env?: Record<string, string>;
}

/** BENCH_MONGO_MAX_POOL=20: caps each service process's MongoDB connection pool (an experiment). */
function withMaxPool(uri: string, maxPool: string | undefined): string {
  if (!maxPool) return uri;
  const url = new URL(uri);
  url.searchParams.set('maxPoolSize', maxPool);
  return url.toString();
}

/**
 * The settings every benchmark runs the service with: test environment, auth on, rate limits
 * off, logs at WARNING (so logging is not on the hot path), no web search.
 */
export function serviceEnv(options: ServiceOptions): Record<string, string> {
  return {
    ENVIRONMENT: 'test',
    MONGO_URI: withMaxPool(options.backends.mongoUri, process.env.BENCH_MONGO_MAX_POOL),
    MONGO_DB_NAME: options.dbName,
    ...(options.backends.redisCluster
      ? options.backends.redisCluster.env
      : { REDIS_URL: options.backends.redisUrl }),
    REDIS_GLOBAL_KEYPREFIX: options.keyPrefix,
    API_KEYS: BENCH_API_KEY,
    RATE_LIMIT_ENABLED: 'false',
    LOG_LEVEL: 'WARNING',
    WEB_SEARCH_PROVIDER: 'none',
    OPENAI_API_KEY: 'bench-openai-key',
    ...(options.llmUrl ? { OPENAI_BASE_URL: options.llmUrl } : {}),
    LLM_MAX_RETRIES: '0',
    ...options.env,
    // BENCH_SERVICE_ENV='{"SSE_HEARTBEAT_MS":"200"}': extra settings for an experiment.
    ...(JSON.parse(process.env.BENCH_SERVICE_ENV ?? '{}') as Record<string, string>),
  };
}

/** Service processes still running when the benchmark exits are killed with it. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startService(
  mode: 'api' | 'worker',
  options: ServiceOptions,
): Promise<ServiceHandle> {
  if (!existsSync(builtApp)) throw new Error(`${builtApp} is missing: run npm run build first`);
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...serviceEnv(options),
    ...(mode === 'api' ? { PORT: String(port) } : { WORKER_HTTP_PORT: String(port) }),
  };
  // BENCH_PROFILE=api|worker|all: a V8 CPU profile of that process, written to bench-results/.
  const profile = process.env.BENCH_PROFILE;
  const nodeArgs =
    profile === mode || profile === 'all'
      ? ['--cpu-prof', `--cpu-prof-dir=${join(REPO_ROOT, 'bench-results', 'profiles')}`]
      : [];
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, builtApp, `--mode=${mode}`], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const origin = `http://127.0.0.1:${port}`;
  const handle: ServiceHandle = {
    mode,
    pid: child.pid!,
    origin,
    output: () => tail,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${mode} exited during start-up:\n${tail}`);
    try {
      const res = await fetch(`${origin}/health/live`);
      if (res.ok) return handle;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await handle.stop();
      throw new Error(`${mode} did not answer ${origin}/health/live within 60 s:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
