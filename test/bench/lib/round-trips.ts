import type { Cluster, Redis } from 'ioredis';
import mongoose from 'mongoose';
import { round } from './stats';

/**
 * The price of one round trip from this process, one at a time on an idle connection: an insert
 * and a find by _id on the database (into a scratch collection), and a Redis PING. Overheads
 * measured in the pipeline read best in these units ("about N database round trips").
 */
export async function measureRoundTrips(
  mongoUri: string,
  dbName: string,
  redis: Redis | Cluster,
  count = 100,
): Promise<{ db_insert_ms: number; db_find_by_id_ms: number; redis_ping_ms: number }> {
  const client = await mongoose.mongo.MongoClient.connect(mongoUri);
  const scratch = client.db(dbName).collection<{ _id: string; n: number }>('bench_round_trips');
  const time = async (fn: (i: number) => Promise<unknown>): Promise<number> => {
    const samples: number[] = [];
    for (let i = 0; i < count; i++) {
      const t = process.hrtime.bigint();
      await fn(i);
      samples.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    samples.sort((a, b) => a - b);
    return round(samples[Math.floor(samples.length / 2)], 2);
  };
  try {
    const prefix = `${Date.now()}-`;
    const insert = await time((i) => scratch.insertOne({ _id: `${prefix}${i}`, n: i }));
    const find = await time((i) => scratch.findOne({ _id: `${prefix}${i}` }));
    const ping = await time(() => redis.ping());
    return { db_insert_ms: insert, db_find_by_id_ms: find, redis_ping_ms: ping };
  } finally {
    await scratch.drop().catch(() => undefined);
    await client.close();
  }
}
