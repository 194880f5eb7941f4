import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOnPath } from '../../../../src/backing-services/find-on-path';
import { freePort } from '../../../../src/backing-services/free-port';
import { ServiceProcess } from '../../../../src/backing-services/service-process';
import { ferretdbSpec, mongodSpec } from '../../../../src/backing-services/service-specs';

export const MONGO_MISSING =
  'No MongoDB for the tests: set TEST_MONGO_URI, or put mongod or ferretdb on the PATH (npm run setup builds FerretDB).';

export interface StartedMongo {
  uri: string;
  kind: 'mongod' | 'ferretdb';
  process: ServiceProcess;
}

/** Starts mongod, else FerretDB (SQLite backend), from the PATH on a free port in a temporary folder. */
export async function startMongoFromPath(): Promise<StartedMongo | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'ao-mongo-'));
  for (const kind of ['mongod', 'ferretdb'] as const) {
    const binary = findOnPath(kind);
    if (!binary) continue;
    const port = await freePort();
    const spec =
      kind === 'mongod' ? mongodSpec(binary, dir, port) : ferretdbSpec(binary, dir, port);
    const process = new ServiceProcess(spec);
    await process.start();
    return { uri: `mongodb://127.0.0.1:${port}`, kind, process };
  }
  return undefined;
}
