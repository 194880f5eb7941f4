import { Redis } from 'ioredis';
import { RedisCluster, type RedisClusterOptions } from './redis-cluster';
import { startRedisServer } from './redis-server';
import { testBackends, type TestBackends, withRedisNode } from './test-backends';

/**
 * A Redis of one test's own, of the run's topology: a redis-server, or under
 * `npm run test:cluster` a Redis Cluster. A test takes it away (`stop`) and gives it back
 * (`start`), or counts its connections, without touching the Redis the other suites share.
 */
export interface OwnRedis {
  backends: TestBackends;
  /** The cluster, when the run is on one. */
  cluster?: RedisCluster;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Client connections on every node (the harness's probe left out), those `filter` keeps. */
  clientCount(filter?: (line: string) => boolean): Promise<number>;
  close(): Promise<void>;
}

export async function startOwnRedis(
  base: TestBackends = testBackends(),
  clusterOptions: RedisClusterOptions = {},
): Promise<OwnRedis> {
  if (base.redisClusterNodes) {
    const cluster = await RedisCluster.start(clusterOptions);
    return {
      backends: {
        ...base,
        redisUrl: `redis://${cluster.seeds[0]}`,
        redisClusterNodes: cluster.seeds,
      },
      cluster,
      stop: async () => {
        await Promise.all(cluster.nodes.map((n) => n.process.stop()));
      },
      start: async () => {
        await Promise.all(cluster.nodes.map((n) => n.process.start()));
        await cluster.waitUntilReady();
      },
      clientCount: (filter) => cluster.clientCount(filter),
      close: () => cluster.stop(),
    };
  }
  const node = await startRedisServer();
  return {
    backends: withRedisNode(base, node.url),
    stop: () => node.process.stop(),
    start: () => node.process.start(),
    clientCount: async (filter = () => true) => {
      const probe = new Redis(node.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await probe.connect();
        const own = await probe.client('ID');
        return String(await probe.client('LIST'))
          .trim()
          .split('\n')
          .filter((line) => !line.startsWith(`id=${own} `) && filter(line)).length;
      } finally {
        probe.disconnect();
      }
    },
    close: () => node.process.stop(),
  };
}
