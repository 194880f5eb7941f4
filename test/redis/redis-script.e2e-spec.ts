import { testBackends } from '@agent-orchestrator/testing';
import { Redis } from 'ioredis';
import { RedisScript } from '../../src/redis/redis-script';

describe('RedisScript (EVALSHA with an EVAL fallback, against the test Redis)', () => {
  const backends = testBackends();
  let redis: Redis;
  const calls: string[] = [];
  const script = new RedisScript(
    `return redis.call('INCRBY', KEYS[1], ARGV[1]) .. ':' .. '${backends.redisKeyPrefix}'`,
    1,
  );

  beforeAll(async () => {
    redis = new Redis(backends.redisUrl, { keyPrefix: backends.redisKeyPrefix });
    const sendCommand = redis.sendCommand.bind(redis);
    // Records the name of every command the client sends, to see EVAL and EVALSHA apart.
    redis.sendCommand = (command, stream) => {
      calls.push(command.name);
      return sendCommand(command, stream);
    };
    await redis.script('FLUSH');
  });

  beforeEach(() => (calls.length = 0));

  afterAll(async () => {
    await redis.del('counter');
    await redis.quit();
  });

  it('loads a script Redis does not know with EVAL, then runs it by its hash alone', async () => {
    expect(await script.run(redis, ['counter'], ['2'])).toBe(`2:${backends.redisKeyPrefix}`);
    expect(calls).toEqual(['evalsha', 'eval']);
    expect(await redis.script('EXISTS', script.sha)).toEqual([1]);

    calls.length = 0;
    expect(await script.run(redis, ['counter'], ['3'])).toBe(`5:${backends.redisKeyPrefix}`);
    expect(calls).toEqual(['evalsha']);
  });

  it('applies the client key prefix to the keys it is given', async () => {
    await script.run(redis, ['counter'], ['1']);
    const raw = new Redis(backends.redisUrl);
    try {
      expect(await raw.exists(`${backends.redisKeyPrefix}counter`)).toBe(1);
    } finally {
      await raw.quit();
    }
  });

  it('loads the script again after Redis forgot it (restart, SCRIPT FLUSH)', async () => {
    await script.run(redis, ['counter'], ['1']);
    await redis.script('FLUSH');
    calls.length = 0;
    await expect(script.run(redis, ['counter'], ['1'])).resolves.toMatch(/^\d+:/);
    expect(calls).toEqual(['evalsha', 'eval']);
  });

  it('passes on errors other than NOSCRIPT without running the script twice', async () => {
    const broken = new RedisScript(`return redis.call('INCRBY', KEYS[1], 'not a number')`, 1);
    await expect(broken.run(redis, ['counter'], [])).rejects.toThrow(/not an integer/);
    await expect(broken.run(redis, ['counter'], [])).rejects.toThrow(/not an integer/);
    expect(calls.filter((name) => name === 'eval')).toHaveLength(1);
  });

  it('refuses a call with the wrong number of keys before it reaches Redis', async () => {
    await expect(script.run(redis, [], ['1'])).rejects.toThrow('expects 1 keys, got 0');
    expect(calls).toEqual([]);
  });

  it('refuses keys of different hash tags before they reach Redis, as a cluster would (CROSSSLOT)', async () => {
    const twoKeys = new RedisScript(`return redis.call('MSET', KEYS[1], '1', KEYS[2], '1')`, 2);
    await expect(twoKeys.run(redis, ['a:{g1}', 'a:{g2}'], [])).rejects.toThrow(/share a hash tag/);
    expect(calls).toEqual([]);
    await expect(twoKeys.run(redis, ['a:{g1}', 'b:{g1}'], [])).resolves.toBe('OK');
    await redis.del('a:{g1}', 'b:{g1}');
  });
});
