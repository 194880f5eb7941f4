import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOnPath } from '../../../src/backing-services/find-on-path';
import { freePort } from '../../../src/backing-services/free-port';
import { portAccepts, ServiceProcess } from '../../../src/backing-services/service-process';
import { ferretdbSpec } from '../../../src/backing-services/service-specs';
import { startMongoFromPath } from '../../../libs/testing/src/backends/mongo-server';
import { RedisCluster } from '../../../libs/testing/src/backends/redis-cluster';
import { startRedisServer } from '../../../libs/testing/src/backends/redis-server';

/**
 * The MongoDB and Redis a benchmark runs against, started on free loopback ports and stopped
 * afterwards, or given by TEST_MONGO_URI / TEST_REDIS_URL. `pids` are the roots of the processes
 * whose CPU time the benchmarks attribute to the database and to Redis (empty when external).
 */
export interface BenchBackends {
  mongoUri: string;
  /** `external`, `mongod`, `ferretdb-postgresql` or `ferretdb-sqlite`. */
  mongoKind: string;
  mongoVersion: string;
  redisUrl: string;
  redisPort: number;
  dbPids: number[];
  redisPid?: number;
  /** FerretDB's Prometheus metrics (requests per command), when the benchmark started it. */
  dbMetricsUrl?: string;
  /**
   * Call once the service (or floor) has created its collections. On FerretDB/PostgreSQL it adds
   * the GIN indexes FerretDB's filter push-down can use (see startFerretDbOnPostgres); elsewhere
   * it does nothing.
   */
  indexDatabase(dbName: string): void;
  /**
   * The same Redis with FerretDB on SQLite, the database `npm start` and `npm test` fall back to:
   * these backends when that is already the database, else a second FerretDB started on first
   * call (and stopped with these). The floor and growth benchmarks measure on it.
   */
  sqlite(): Promise<BenchBackends>;
  /**
   * The same database with a Redis Cluster instead of the single node (three masters, a replica
   * each, from the same redis-server binary), started on first call and stopped with these. The
   * SSE and pipeline benchmarks measure on both in the same run.
   */
  cluster(): Promise<BenchBackends>;
  /** Set on the cluster variant: the service runs with REDIS_CLUSTER=true and these seeds. */
  redisCluster?: BenchRedisCluster;
  stop(): Promise<void>;
}

export interface BenchRedisCluster {
  seeds: string[];
  /** Every node's client port (masters and replicas). */
  ports: number[];
  pids: number[];
  /** The service's environment for the cluster (REDIS_CLUSTER, REDIS_CLUSTER_NODES). */
  env: Record<string, string>;
}

type MongoChoice = 'auto' | 'mongod' | 'ferretdb-postgresql' | 'ferretdb-sqlite';

export async function startBackends(log: (line: string) => void): Promise<BenchBackends> {
  const stops: (() => Promise<unknown>)[] = [];
  try {
    const mongo = await startMongo(log, stops);
    const redis = await startRedis(stops);
    const stopAll = async (): Promise<void> => {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
    };
    let sqlite: Promise<BenchBackends> | undefined;
    let cluster: Promise<BenchBackends> | undefined;
    const main: BenchBackends = {
      indexDatabase: () => undefined,
      ...mongo,
      ...redis,
      sqlite: () => {
        if (main.mongoKind === 'ferretdb-sqlite') return Promise.resolve(main);
        sqlite ??= startFerretDbOnSqlite(ferretdbOnPath(), log, stops).then((db) => ({
          ...main,
          indexDatabase: () => undefined,
          ...db,
        }));
        return sqlite;
      },
      cluster: () => {
        cluster ??= startCluster(log, stops).then((redisCluster) => ({
          ...main,
          redisUrl: `redis://${redisCluster.seeds[0]}`,
          redisPort: redisCluster.ports[0],
          redisPid: undefined,
          redisCluster,
        }));
        return cluster;
      },
      stop: stopAll,
    };
    return main;
  } catch (err) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw err;
  }
}

async function startCluster(
  log: (line: string) => void,
  stops: (() => Promise<unknown>)[],
): Promise<BenchRedisCluster> {
  const cluster = await RedisCluster.start();
  stops.push(() => cluster.stop());
  log(`redis cluster: ${cluster.seeds.join(', ')} (3 masters, a replica each)`);
  return {
    seeds: cluster.seeds,
    ports: cluster.nodes.map((n) => n.port),
    pids: cluster.nodes.flatMap((n) => (n.process.pid ? [n.process.pid] : [])),
    env: cluster.env,
  };
}

async function startRedis(stops: (() => Promise<unknown>)[]) {
  const external = process.env.TEST_REDIS_URL;
  if (external) {
    return { redisUrl: external, redisPort: Number(new URL(external).port || 6379) };
  }
  const started = await startRedisServer();
  stops.push(() => started.process.stop());
  return {
    redisUrl: started.url,
    redisPort: started.process.port,
    redisPid: started.process.pid,
  };
}

async function startMongo(log: (line: string) => void, stops: (() => Promise<unknown>)[]) {
  if (process.env.TEST_MONGO_URI) {
    return {
      mongoUri: process.env.TEST_MONGO_URI,
      mongoKind: 'external',
      mongoVersion: 'external',
      dbPids: [],
    };
  }
  const choice = (process.env.BENCH_MONGO ?? 'auto') as MongoChoice;
  const mongod = findOnPath('mongod');
  if (mongod && (choice === 'auto' || choice === 'mongod')) {
    const started = await startMongoFromPath();
    if (started) {
      stops.push(() => started.process.stop());
      return {
        mongoUri: started.uri,
        mongoKind: started.kind,
        mongoVersion: version(mongod, ['--version']),
        dbPids: started.process.pid ? [started.process.pid] : [],
      };
    }
  }
  const ferretdb = findOnPath('ferretdb');
  const postgresBin = findPostgresBin();
  if (ferretdb && postgresBin && (choice === 'auto' || choice === 'ferretdb-postgresql')) {
    return startFerretDbOnPostgres(ferretdb, postgresBin, log, stops);
  }
  if (choice === 'ferretdb-postgresql') {
    throw new Error('BENCH_MONGO=ferretdb-postgresql: no PostgreSQL (initdb, postgres) found');
  }
  if (ferretdb) return startFerretDbOnSqlite(ferretdb, log, stops);
  const started = await startMongoFromPath();
  if (!started) {
    throw new Error('No MongoDB: set TEST_MONGO_URI, or put mongod or ferretdb on the PATH');
  }
  stops.push(() => started.process.stop());
  return {
    mongoUri: started.uri,
    mongoKind: started.kind,
    mongoVersion: 'unknown',
    dbPids: started.process.pid ? [started.process.pid] : [],
  };
}

/** FerretDB's debug listener (metrics) on a free port instead of none. */
async function withDebugAddr(args: string[]): Promise<{ args: string[]; metricsUrl: string }> {
  const port = await freePort();
  return {
    args: args.map((a) => (a === '--debug-addr=-' ? `--debug-addr=127.0.0.1:${port}` : a)),
    metricsUrl: `http://127.0.0.1:${port}/debug/metrics`,
  };
}

/** FerretDB/SQLite as the test suites run it (libs/testing's spec), plus its metrics listener. */
async function startFerretDbOnSqlite(
  ferretdb: string,
  log: (line: string) => void,
  stops: (() => Promise<unknown>)[],
) {
  const dir = mkdtempSync(join(tmpdir(), 'ao-bench-ferretdb-'));
  stops.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
  const spec = ferretdbSpec(ferretdb, dir, await freePort());
  const debug = await withDebugAddr(spec.args);
  const ferret = new ServiceProcess({ ...spec, args: debug.args });
  await ferret.start();
  stops.push(() => ferret.stop());
  log(
    'database: FerretDB with its SQLite backend. It filters every query but {_id} in Go after a full table scan, so per-operation cost grows with the collection; see test/bench/README.md.',
  );
  return {
    mongoUri: `mongodb://127.0.0.1:${spec.port}`,
    mongoKind: 'ferretdb-sqlite',
    mongoVersion: ferretdbVersion(ferretdb),
    dbPids: ferret.pid ? [ferret.pid] : [],
    dbMetricsUrl: debug.metricsUrl,
  };
}

function ferretdbOnPath(): string {
  const ferretdb = findOnPath('ferretdb');
  if (!ferretdb)
    throw new Error('No ferretdb on the PATH: scripts/install-test-services.sh builds it');
  return ferretdb;
}

/** "version: v1.24.2 (package: …)": the package line tells a patched build (see scripts/ferretdb). */
function ferretdbVersion(binary: string): string {
  const lines = version(binary, ['--version'], Infinity).split('\n');
  const pkg = lines.find((l) => l.startsWith('package: ') && l !== 'package: unknown');
  return pkg ? `${lines[0]} (${pkg})` : `${lines[0]} (stock build)`;
}

function version(binary: string, args: string[], lines = 1): string {
  try {
    return execFileSync(binary, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .split('\n')
      .slice(0, lines)
      .join('\n');
  } catch {
    return 'unknown';
  }
}

/** The folder holding initdb and postgres: the PATH, else Debian's /usr/lib/postgresql/<v>/bin. */
function findPostgresBin(): string | undefined {
  const initdb = findOnPath('initdb');
  const postgres = findOnPath('postgres');
  if (initdb && postgres) return dirnameOfReal(postgres);
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const bin = join(root, v, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'postgres'))) return bin;
  }
  return undefined;
}

function dirnameOfReal(path: string): string {
  const real = execFileSync('readlink', ['-f', path], { encoding: 'utf8' }).trim();
  return real.slice(0, real.lastIndexOf('/'));
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` user if there is one. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error('PostgreSQL cannot run as root and there is no postgres user');
  }
}

/**
 * FerretDB v1 on a throw-away PostgreSQL cluster (on tmpfs when /dev/shm exists, with fsync
 * off: a benchmark database, not a durable one). Unlike the SQLite backend, it pushes equality
 * filters down to SQL, so its cost per operation stays close to flat as collections grow.
 */
async function startFerretDbOnPostgres(
  ferretdb: string,
  bin: string,
  log: (line: string) => void,
  stops: (() => Promise<unknown>)[],
) {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dir = mkdtempSync(join(base, 'ao-bench-pg-'));
  stops.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
  const user = postgresUser();
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  execFileSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'],
    { stdio: 'ignore', ...(user ?? {}) },
  );
  const pgPort = await freePort();
  const postgres: ChildProcess = spawn(
    join(bin, 'postgres'),
    [
      '-D',
      data,
      '-p',
      String(pgPort),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=450',
      // FerretDB sends lookups as prepared `_jsonb->$1 @> $2`, the key a parameter. After five
      // runs PostgreSQL switches to a generic plan, which cannot match the GIN indexes on
      // `_jsonb->'task_id'` (…) and scans the table: 134 blocks and 2.9 ms per task lookup at
      // 900 tasks, growing with the table. Custom plans see the key and use the index (0.25 ms).
      '-c',
      'plan_cache_mode=force_custom_plan',
    ],
    { stdio: 'ignore', ...(user ?? {}) },
  );
  const pgExited = new Promise<void>((r) => postgres.once('exit', () => r()));
  stops.push(async () => {
    postgres.kill('SIGINT'); // fast shutdown
    const timer = setTimeout(() => postgres.kill('SIGKILL'), 5000);
    await pgExited;
    clearTimeout(timer);
  });
  const deadline = Date.now() + 20_000;
  while (!(await portAccepts(pgPort))) {
    if (Date.now() > deadline || postgres.exitCode !== null)
      throw new Error('PostgreSQL did not start for the benchmark');
    await new Promise((r) => setTimeout(r, 100));
  }
  const port = await freePort();
  const debug = await withDebugAddr([
    '--handler=postgresql',
    // FerretDB's default pool (50) deadlocked here under 50 concurrent jobs (goroutines stuck in
    // pgxpool.Acquire, even ping unanswered): a pool larger than the clients' concurrency.
    `--postgresql-url=postgres://postgres@127.0.0.1:${pgPort}/postgres?pool_max_conns=400`,
    `--state-dir=${dir}`,
    `--listen-addr=127.0.0.1:${port}`,
    '--telemetry=disable',
    '--debug-addr=-',
    '--log-level=error',
  ]);
  const ferret = new ServiceProcess({
    name: 'ferretdb',
    command: ferretdb,
    args: debug.args,
    port,
  });
  await ferret.start();
  stops.push(() => ferret.stop());
  log(
    `database: FerretDB on PostgreSQL ${version(join(bin, 'postgres'), ['--version'])} (tmpfs, fsync off, GIN indexes on the lookup keys)`,
  );
  const psql = join(bin, 'psql');
  return {
    indexDatabase: (dbName: string) => indexFerretDbSchema(psql, pgPort, dbName),
    mongoUri: `mongodb://127.0.0.1:${port}`,
    mongoKind: 'ferretdb-postgresql',
    mongoVersion: `${ferretdbVersion(ferretdb)} on ${version(join(bin, 'postgres'), ['--version'])}`,
    dbPids: [ferret.pid, postgres.pid].filter((p): p is number => p !== undefined),
    dbMetricsUrl: debug.metricsUrl,
  };
}

/** The fields the service looks documents up by (equality filters, all indexed in MongoDB). */
const LOOKUP_KEYS = ['task_id', 'session_id', 'run_id'];

/**
 * FerretDB v1 on PostgreSQL pushes an equality filter down as `_jsonb->'field' @> '"value"'`, which
 * its own btree indexes (the ones the service declares) cannot serve, so every lookup is a
 * sequential scan and gets slower as the collection grows. A GIN index on the same expression
 * serves `@>`: with it, a lookup costs about what it costs on an empty collection, as with the
 * service's indexes on MongoDB.
 */
function indexFerretDbSchema(psql: string, pgPort: number, dbName: string): void {
  const keys = LOOKUP_KEYS.map((k) => `'${k}'`).join(',');
  const sql = `DO $$ DECLARE r record; k text; BEGIN
    FOR r IN SELECT table_name t FROM information_schema.tables
             WHERE table_schema = '${dbName}' AND table_name NOT LIKE '\\_ferretdb\\_%' LOOP
      FOREACH k IN ARRAY ARRAY[${keys}] LOOP
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I.%I USING gin ((_jsonb->%L))',
                       left(r.t, 40) || '_bench_' || k, '${dbName}', r.t, k);
      END LOOP;
    END LOOP; END $$;`;
  execFileSync(
    psql,
    ['-h', '127.0.0.1', '-p', String(pgPort), '-U', 'postgres', '-d', 'postgres', '-q', '-c', sql],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
}
