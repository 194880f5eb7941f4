import { Cluster, Redis } from 'ioredis';
import type { BenchBackends } from './backends';

/** The benchmark's own Redis connection: a node's, or a cluster client on the cluster variant. */
export async function redisProbe(backends: BenchBackends): Promise<Redis | Cluster> {
  if (!backends.redisCluster)
    return new Redis(backends.redisUrl, { connectionName: 'bench:probe' });
  const cluster = new Cluster(backends.redisCluster.seeds, {
    redisOptions: { connectionName: 'bench:probe' },
  });
  await new Promise<void>((resolve, reject) => {
    cluster.once('ready', () => resolve());
    cluster.once('error', reject);
  });
  return cluster;
}

/** Every client the Redis nodes list (CLIENT LIST on each node, masters and replicas). */
export async function redisClientTotal(probe: Redis | Cluster): Promise<number> {
  const nodes = probe instanceof Cluster ? probe.nodes('all') : [probe];
  let total = 0;
  for (const node of nodes) {
    total += String(await node.client('LIST'))
      .trim()
      .split('\n').length;
  }
  return total;
}
