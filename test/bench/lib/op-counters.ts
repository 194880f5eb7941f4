import { Cluster, type Redis } from 'ioredis';
import { round } from './stats';

/**
 * Database and Redis commands by name, read from the servers themselves: FerretDB's
 * `ferretdb_client_requests_total{command=…}` and Redis's INFO commandstats. Divided by the tasks
 * a phase handled, they are the round trips per task: load-independent evidence of where the
 * time goes.
 */
export type OpCounts = Record<string, number>;

export async function mongoOps(metricsUrl: string | undefined): Promise<OpCounts> {
  if (!metricsUrl) return {};
  const counts: OpCounts = {};
  try {
    const text = await (await fetch(metricsUrl)).text();
    for (const line of text.split('\n')) {
      if (!line.startsWith('ferretdb_client_requests_total{')) continue;
      const command = /command="([^"]*)"/.exec(line)?.[1];
      const value = Number(line.slice(line.lastIndexOf(' ') + 1));
      if (command) counts[command] = (counts[command] ?? 0) + value;
    }
  } catch {
    // no metrics: the table says so by being empty
  }
  return counts;
}

export async function redisOps(redis: Redis | Cluster): Promise<OpCounts> {
  // On a cluster, the masters' counters added up (replicas only apply what masters ran).
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const counts: OpCounts = {};
  for (const node of nodes) {
    const info = await node.info('commandstats');
    for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      counts[match[1]] = (counts[match[1]] ?? 0) + Number(match[2]);
    }
  }
  return counts;
}

/**
 * (after - before - own) / per, dropping zeros and connection monitoring (hello, ping…), where
 * `own` is what the benchmark itself sent meanwhile (its polling).
 */
export function opsPer(
  before: OpCounts,
  after: OpCounts,
  per: number,
  own: OpCounts = {},
): OpCounts {
  const out: OpCounts = {};
  for (const [name, value] of Object.entries(after)) {
    if (MONITORING.includes(name)) continue;
    const delta = value - (before[name] ?? 0) - (own[name] ?? 0);
    if (delta > 0) out[name] = round(delta / per, 2);
  }
  return Object.fromEntries(Object.entries(out).sort((a, b) => b[1] - a[1]));
}

export function totalOps(counts: OpCounts): number {
  return round(
    Object.values(counts).reduce((a, b) => a + b, 0),
    2,
  );
}

/** "find 3, update 2, …" */
export function formatOps(counts: OpCounts): string {
  return Object.entries(counts)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
}

/** Both counters at once. */
export async function snapshotOps(
  metricsUrl: string | undefined,
  redis: Redis | Cluster,
): Promise<{ mongo: OpCounts; redis: OpCounts }> {
  const [mongo, r] = await Promise.all([mongoOps(metricsUrl), redisOps(redis)]);
  return { mongo, redis: r };
}

/** Connection upkeep and the probes' own commands, not work done for tasks. */
const MONITORING = [
  'hello',
  'isMaster',
  'ismaster',
  'ping',
  'buildInfo',
  'endSessions',
  'info',
  'client|list',
  'client|id',
];
