import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOnPath } from '../../../../src/backing-services/find-on-path';
import { freePort } from '../../../../src/backing-services/free-port';
import { ServiceProcess } from '../../../../src/backing-services/service-process';
import { redisServerSpec } from '../../../../src/backing-services/service-specs';

export const REDIS_MISSING =
  'No Redis for the tests: set TEST_REDIS_URL, or install redis-server (npm run setup installs it).';

/** Starts a throw-away redis-server on a free port, with no persistence. Tests may stop and restart it. */
export async function startRedisServer(): Promise<{ url: string; process: ServiceProcess }> {
  const binary = findOnPath('redis-server');
  if (!binary) throw new Error(REDIS_MISSING);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'ao-redis-'));
  const process = new ServiceProcess(redisServerSpec(binary, dir, port, { persistent: false }));
  await process.start();
  return { url: `redis://127.0.0.1:${port}`, process };
}
