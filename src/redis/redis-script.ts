import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-connections';
import { assertOneSlot } from './redis-keys';

/**
 * A Lua script sent by its SHA1 (EVALSHA), so each call carries the hash instead of the source
 * and Redis skips hashing it again. A Redis that does not know the script yet (first call, a
 * restart, SCRIPT FLUSH, a cluster node that has not run it) answers NOSCRIPT, and the call is
 * repeated with EVAL, which loads it. The keys of a call must share a hash tag (one cluster slot).
 */
export class RedisScript {
  readonly sha: string;

  constructor(
    private readonly source: string,
    private readonly numberOfKeys: number,
  ) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script; the client's key prefix applies to `keys` as for any command. */
  async run(
    redis: RedisClient,
    keys: readonly string[],
    args: readonly string[],
  ): Promise<unknown> {
    if (keys.length !== this.numberOfKeys) {
      throw new Error(`RedisScript expects ${this.numberOfKeys} keys, got ${keys.length}`);
    }
    assertOneSlot(keys);
    try {
      return await redis.evalsha(this.sha, this.numberOfKeys, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(this.source, this.numberOfKeys, ...keys, ...args);
    }
  }
}
