import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { Cluster } from 'ioredis';
import { type RedisClient, RedisConnections } from '../redis/redis-connections';
import { RateLimitStoreUnavailableError } from './protection.errors';

/** A request waits at most this long for the limiter's Redis before it is let through. */
const STORE_TIMEOUT_MS = 500;
/** At boot, how long to wait for the limiter's connection before serving (failing open) anyway. */
const READY_TIMEOUT_MS = 3000;

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * The counters of @nest-lab/throttler-storage-redis (one Lua script: INCR + PEXPIRE + block key)
 * on a connection of its own that honours REDIS_GLOBAL_KEYPREFIX, so every API replica shares
 * them. It never queues commands while Redis is away and gives up after STORE_TIMEOUT_MS: any
 * failure becomes RateLimitStoreUnavailableError, on which the guard fails open.
 */
export class RedisRateLimitStorage implements ThrottlerStorage {
  private readonly store?: ThrottlerStorageRedisService;

  private constructor(private readonly client?: RedisClient) {
    // Its constructor takes a node or a cluster client, as two overloads.
    if (client instanceof Cluster) this.store = new ThrottlerStorageRedisService(client);
    else if (client) this.store = new ThrottlerStorageRedisService(client);
  }

  /** With limits off no connection is opened (the guard never asks). */
  static async create(redis: RedisConnections, enabled: boolean): Promise<RedisRateLimitStorage> {
    if (!enabled) return new RedisRateLimitStorage();
    const client = redis.create('rate-limit', {
      keyPrefix: redis.settings.keyPrefix,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
    });
    await whenReady(client, READY_TIMEOUT_MS);
    return new RedisRateLimitStorage(client);
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const { client, store } = this;
    if (!client || !store) throw new RateLimitStoreUnavailableError('rate limiting is disabled');
    if (client.status !== 'ready') {
      throw new RateLimitStoreUnavailableError(`the connection is ${client.status}`);
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        store.increment(key, ttl, limit, blockDuration, throttlerName),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${STORE_TIMEOUT_MS} ms`)),
            STORE_TIMEOUT_MS,
          );
        }),
      ]);
    } catch (err) {
      throw new RateLimitStoreUnavailableError(err instanceof Error ? err.message : String(err), {
        cause: err,
      });
    } finally {
      clearTimeout(timer);
    }
  }
}

function whenReady(client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    client.once('ready', done);
  });
}
