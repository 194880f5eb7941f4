import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A Lua script sent by its SHA1 (EVALSHA), so each call carries the hash instead of the source
 * and Redis skips hashing it again. A Redis that does not know the script yet (first call, a
 * restart, SCRIPT FLUSH) answers NOSCRIPT, and the call is repeated with EVAL, which loads it.
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
  async run(redis: Redis, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    if (keys.length !== this.numberOfKeys) {
      throw new Error(`RedisScript expects ${this.numberOfKeys} keys, got ${keys.length}`);
    }
    try {
      return await redis.evalsha(this.sha, this.numberOfKeys, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(this.source, this.numberOfKeys, ...keys, ...args);
    }
  }
}
