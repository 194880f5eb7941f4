import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';

export const ENV_MONGO_URI = 'AO_TEST_MONGO_URI';
export const ENV_MONGO_KIND = 'AO_TEST_MONGO_KIND';
export const ENV_REDIS_URL = 'AO_TEST_REDIS_URL';
/** Set by the global setup when the run is on a Redis Cluster: its seeds, comma-separated. */
export const ENV_REDIS_CLUSTER_NODES = 'AO_TEST_REDIS_CLUSTER_NODES';

export interface TestBackends {
  mongoUri: string;
  /** A database of this test file's own, so files can run in parallel. */
  mongoDbName: string;
  /**
   * The single-node Redis URL. On a cluster run it is the first seed's URL, which only a test
   * that talks to that one node may use: apps get `redisEnv(backends)`, checks `testRedisClient`.
   */
  redisUrl: string;
  /** Set under `npm run test:cluster` (TEST_REDIS_CLUSTER=true): the cluster's seeds. */
  redisClusterNodes?: string[];
  /** A Redis key prefix of this test file's own. */
  redisKeyPrefix: string;
  /** `ferretdb`, `mongod` or `external` (TEST_MONGO_URI). */
  mongoKind: string;
}

/** The services resolved by the jest global setup, with names unique to the caller. */
export function testBackends(): TestBackends {
  const mongoUri = process.env[ENV_MONGO_URI];
  const redisUrl = process.env[ENV_REDIS_URL];
  if (!mongoUri || !redisUrl) {
    throw new Error('Test backends are not resolved: run the suites through jest (npm test).');
  }
  const id = randomBytes(4).toString('hex');
  const clusterNodes = process.env[ENV_REDIS_CLUSTER_NODES];
  return {
    mongoUri,
    mongoDbName: `ao_test_${id}`,
    redisUrl,
    ...(clusterNodes ? { redisClusterNodes: clusterNodes.split(',') } : {}),
    redisKeyPrefix: `ao_test_${id}:`,
    mongoKind: process.env[ENV_MONGO_KIND] ?? 'external',
  };
}

type RedisTarget = Pick<TestBackends, 'redisUrl' | 'redisClusterNodes'>;

/** The Redis variables a service gets for these backends: REDIS_URL, or the cluster's. */
export function redisEnv(backends: RedisTarget): Record<string, string | undefined> {
  if (!backends.redisClusterNodes) return { REDIS_URL: backends.redisUrl };
  return {
    REDIS_CLUSTER: 'true',
    REDIS_CLUSTER_NODES: backends.redisClusterNodes.join(','),
    REDIS_URL: undefined,
  };
}

/** Backends that use another single Redis node (one a test starts and stops itself). */
export function withRedisNode(backends: TestBackends, url: string): TestBackends {
  const { redisClusterNodes: _cluster, ...rest } = backends;
  return { ...rest, redisUrl: url };
}

/** A client of the test's Redis, one node or the cluster, for a test's own checks. */
export function testRedisClient(
  backends: RedisTarget,
  options: { keyPrefix?: string } = {},
): Redis | Cluster {
  const nodes = backends.redisClusterNodes;
  if (!nodes) return new Redis(backends.redisUrl, options);
  return new Cluster(nodes, { keyPrefix: options.keyPrefix });
}

/**
 * Every key matching `pattern` (a raw KEYS pattern, no client prefix), on every master when the
 * Redis is a cluster, where KEYS answers for one node only.
 */
export async function keysMatching(client: Redis | Cluster, pattern: string): Promise<string[]> {
  if (!(client instanceof Cluster)) return client.keys(pattern);
  if (client.status !== 'ready') await new Promise((ready) => client.once('ready', ready));
  const masters = client.nodes('master');
  const perNode = await Promise.all(masters.map((node) => node.keys(pattern)));
  return perNode.flat().sort();
}
