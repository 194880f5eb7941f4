import { startMongoFromPath, MONGO_MISSING } from './mongo-server';
import { RedisCluster } from './redis-cluster';
import { startRedisServer } from './redis-server';
import type { ServiceProcess } from '../../../../src/backing-services/service-process';
import {
  ENV_MONGO_KIND,
  ENV_MONGO_URI,
  ENV_REDIS_CLUSTER_NODES,
  ENV_REDIS_URL,
} from './test-backends';

interface Owned {
  stop(): Promise<unknown>;
}

declare global {
  var __aoOwnedServices: Owned[] | undefined;
}

/**
 * Resolves the real MongoDB and Redis the suites run against, once per jest run:
 * TEST_MONGO_URI / TEST_REDIS_URL when set, else binaries on the PATH started on free ports,
 * else (MongoDB only) mongodb-memory-server. Nothing is imitated: with no real service the run stops.
 * With TEST_REDIS_CLUSTER=true (`npm run test:cluster`) the suites run on a Redis Cluster instead:
 * TEST_REDIS_CLUSTER_NODES when set, else three masters with a replica each, started here.
 */
export default async function globalSetup(): Promise<void> {
  const owned: Owned[] = [];
  globalThis.__aoOwnedServices = owned;
  const own = (p: ServiceProcess): void => void owned.push({ stop: () => p.stop() });

  if (!process.env[ENV_MONGO_URI]) {
    if (process.env.TEST_MONGO_URI) {
      process.env[ENV_MONGO_URI] = process.env.TEST_MONGO_URI;
      process.env[ENV_MONGO_KIND] = 'external';
    } else {
      const started = await startMongoFromPath();
      if (started) {
        own(started.process);
        process.env[ENV_MONGO_URI] = started.uri;
        process.env[ENV_MONGO_KIND] = started.kind;
      } else {
        process.env[ENV_MONGO_URI] = await startMemoryServer(owned);
        process.env[ENV_MONGO_KIND] = 'mongod';
      }
    }
  }

  if (process.env.TEST_REDIS_CLUSTER === 'true' && !process.env[ENV_REDIS_CLUSTER_NODES]) {
    let seeds = process.env.TEST_REDIS_CLUSTER_NODES;
    if (!seeds) {
      const cluster = await RedisCluster.start();
      owned.push({ stop: () => cluster.stop() });
      seeds = cluster.seeds.join(',');
    }
    process.env[ENV_REDIS_CLUSTER_NODES] = seeds;
    process.env[ENV_REDIS_URL] = `redis://${seeds.split(',')[0]}`;
  }

  if (!process.env[ENV_REDIS_URL]) {
    if (process.env.TEST_REDIS_URL) {
      process.env[ENV_REDIS_URL] = process.env.TEST_REDIS_URL;
    } else {
      const started = await startRedisServer();
      own(started.process);
      process.env[ENV_REDIS_URL] = started.url;
    }
  }
}

async function startMemoryServer(owned: Owned[]): Promise<string> {
  try {
    const { MongoMemoryServer } = await import('mongodb-memory-server');
    const server = await MongoMemoryServer.create();
    owned.push({ stop: () => server.stop() });
    return server.getUri();
  } catch (err) {
    throw new Error(`${MONGO_MISSING} (mongodb-memory-server failed: ${(err as Error).message})`, {
      cause: err,
    });
  }
}
