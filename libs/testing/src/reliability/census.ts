import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';

/** Documents per collection of a database, and the keys under a Redis prefix. */
export interface Census {
  documents: Record<string, number>;
  redisKeys: Set<string>;
}

/** Counts the documents of every collection, and lists the Redis keys under `prefix` when given. */
export async function takeCensus(
  db: Connection,
  redis?: { client: Redis; prefix: string },
): Promise<Census> {
  const collections = await db.db!.listCollections({}, { nameOnly: true }).toArray();
  const documents: Record<string, number> = {};
  for (const { name } of collections.sort((a, b) => a.name.localeCompare(b.name))) {
    documents[name] = await db.collection(name).countDocuments();
  }
  const redisKeys = new Set<string>();
  if (redis) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.client.scan(
        cursor,
        'MATCH',
        `${redis.prefix}*`,
        'COUNT',
        1000,
      );
      for (const key of keys) redisKeys.add(key);
      cursor = next;
    } while (cursor !== '0');
  }
  return { documents, redisKeys };
}

/** Documents added (or removed) per collection between two censuses; unchanged ones are left out. */
export function documentDelta(before: Census, after: Census): Record<string, number> {
  const names = new Set([...Object.keys(before.documents), ...Object.keys(after.documents)]);
  const delta: Record<string, number> = {};
  for (const name of names) {
    const d = (after.documents[name] ?? 0) - (before.documents[name] ?? 0);
    if (d !== 0) delta[name] = d;
  }
  return delta;
}

/** Redis keys that exist now and did not before. */
export function newRedisKeys(before: Census, after: Census): string[] {
  return [...after.redisKeys].filter((k) => !before.redisKeys.has(k)).sort();
}
