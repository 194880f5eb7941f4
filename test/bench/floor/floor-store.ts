/**
 * What the floors (accept-floor.ts, pipeline-floor.ts) share: the raw MongoDB driver (the
 * `mongodb` package mongoose bundles, so the same driver version as the service, without the
 * ODM), the spec's indexes, and one Redis command that appends a task event.
 */
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { taskSeqKey, taskStreamKey } from '../../../src/events/task-event-stream';

export type Db = mongoose.mongo.Db;

export const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

/** Connects with the raw driver, the way the service connects (timeouts, no buffering). */
export async function connectRaw(): Promise<{ client: mongoose.mongo.MongoClient; db: Db }> {
  const client = await mongoose.mongo.MongoClient.connect(env('MONGO_URI'), {
    serverSelectionTimeoutMS: 5000,
  });
  return { client, db: client.db(env('MONGO_DB_NAME')) };
}

/**
 * The spec's indexes (original-design.md, "Data model"), nothing more: a minimal implementation
 * of the spec keeps them, so its writes pay for them as the service's do for its own.
 */
export async function createSpecIndexes(db: Db): Promise<void> {
  const specs: [string, Record<string, 1>, { unique?: boolean }?][] = [
    ['tasks', { task_id: 1 }, { unique: true }],
    ['tasks', { status: 1 }],
    ['tasks', { agent_type: 1 }],
    ['tasks', { created_at: 1 }],
    ['tasks', { session_id: 1 }],
    ['agent_runs', { task_id: 1 }],
    ['agent_runs', { agent_name: 1 }],
    ['messages', { session_id: 1 }],
    ['messages', { task_id: 1 }],
    ['sessions', { session_id: 1 }, { unique: true }],
  ];
  for (const [collection, keys, options] of specs) {
    await db.collection(collection).createIndex(keys, options ?? {});
  }
}

/**
 * Appends a task event: a sequence number, XADD to the task's capped stream, expiry on both
 * keys, in one round trip (the service's own append script, without its final-once guard).
 */
const APPEND_SCRIPT = `
local seq = redis.call('INCR', KEYS[2])
local event = (string.gsub(ARGV[2], '^{"seq":0', '{"seq":' .. seq, 1))
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'e', event)
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return {id, seq}
`;

type EventRedis = Redis & {
  appendTaskEvent(
    stream: string,
    seq: string,
    maxLen: string,
    event: string,
    ttl: string,
  ): Promise<unknown>;
};

/** A Redis client under the service's key prefix that can append task events (EVALSHA). */
export function eventsRedis(connectionName: string): {
  redis: Redis;
  append(event: { task_id: string; type: string; status?: string; data?: unknown }): Promise<void>;
} {
  const redis = new Redis(env('REDIS_URL'), {
    connectionName,
    maxRetriesPerRequest: 2,
    keyPrefix: env('REDIS_GLOBAL_KEYPREFIX'),
  }) as EventRedis;
  redis.defineCommand('appendTaskEvent', { numberOfKeys: 2, lua: APPEND_SCRIPT });
  return {
    redis,
    append: async (event) => {
      const json = JSON.stringify({ seq: 0, ...event, at: new Date().toISOString() });
      await redis.appendTaskEvent(
        taskStreamKey(event.task_id),
        taskSeqKey(event.task_id),
        '10000',
        json,
        '604800',
      );
    },
  };
}
