import { randomBytes } from 'node:crypto';

export const ENV_MONGO_URI = 'AO_TEST_MONGO_URI';
export const ENV_MONGO_KIND = 'AO_TEST_MONGO_KIND';
export const ENV_REDIS_URL = 'AO_TEST_REDIS_URL';

export interface TestBackends {
  mongoUri: string;
  /** A database of this test file's own, so files can run in parallel. */
  mongoDbName: string;
  redisUrl: string;
  /** A Redis key prefix of this test file's own. */
  redisKeyPrefix: string;
  /** `ferretdb`, `mongod` or `external` (TEST_MONGO_URI). */
  mongoKind: string;
}

/** The services resolved by the jest global setup, with names unique to the caller. */
export function testBackends(): TestBackends {
  const mongoUri = process.env[ENV_MONGO_URI];
  const redisUrl = process.env[ENV_REDIS_URL];
  if (!mongoUri || !redisUrl) {
    throw new Error('Test backends are not resolved: run the suites through jest (npm test).');
  }
  const id = randomBytes(4).toString('hex');
  return {
    mongoUri,
    mongoDbName: `ao_test_${id}`,
    redisUrl,
    redisKeyPrefix: `ao_test_${id}:`,
    mongoKind: process.env[ENV_MONGO_KIND] ?? 'external',
  };
}
