import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { appConfig, mongoConfig, redisConfig } from '../config';
import { BackingServiceUnavailableError } from './backing-services.errors';
import { findOnPath } from './find-on-path';
import { freePort } from './free-port';
import { ServiceProcess, portAccepts } from './service-process';
import { ferretdbSpec, mongodSpec, redisServerSpec } from './service-specs';

const DEFAULT_REDIS_PORT = 6379;
/** Offline, mongodb-memory-server spends seconds failing to download; remember that for a day. */
const MEMORY_SERVER_MARKER = 'mongodb-memory-server.unavailable';
const MARKER_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Resolves where MongoDB and Redis are. A configured URI always wins. Without one (local only;
 * dev and prod require them), it provides what `npm start` needs on a bare machine: a mongod on
 * the PATH, else mongodb-memory-server, else FerretDB on the PATH; Redis on 127.0.0.1:6379, else
 * a redis-server started for this process. Data is kept under DATA_DIR.
 */
@Injectable()
export class EmbeddedServices {
  private readonly logger = new Logger('BackingServices');
  private readonly stoppers: (() => Promise<unknown>)[] = [];
  private mongo?: Promise<string>;
  private redis?: Promise<string>;

  constructor(
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
    @Inject(mongoConfig.KEY) private readonly mongoCfg: ConfigType<typeof mongoConfig>,
    @Inject(redisConfig.KEY) private readonly redisCfg: ConfigType<typeof redisConfig>,
  ) {}

  mongoUri(): Promise<string> {
    this.mongo ??= this.mongoCfg.uri ? Promise.resolve(this.mongoCfg.uri) : this.startMongo();
    return this.mongo;
  }

  redisUrl(): Promise<string> {
    this.redis ??= this.redisCfg.url ? Promise.resolve(this.redisCfg.url) : this.findOrStartRedis();
    return this.redis;
  }

  /** Stops what this process started, after its clients have closed. */
  async stop(): Promise<void> {
    await Promise.allSettled(this.stoppers.splice(0).map((stop) => stop()));
  }

  private dataDir(name: string): string {
    const dir = resolve(this.app.dataDir, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  private recentlyFailed(marker: string): boolean {
    try {
      return Date.now() - statSync(join(this.app.dataDir, marker)).mtimeMs < MARKER_TTL_MS;
    } catch {
      return false;
    }
  }

  private markFailed(marker: string): void {
    writeFileSync(join(this.dataDir('.'), marker), new Date().toISOString());
  }

  private async startMongo(): Promise<string> {
    const mongod = findOnPath('mongod');
    if (mongod)
      return this.startProcess(mongodSpec(mongod, this.dataDir('mongod'), await freePort()));

    const ferretdb = findOnPath('ferretdb');
    const failures: string[] = [];
    if (!ferretdb || !this.recentlyFailed(MEMORY_SERVER_MARKER)) {
      try {
        return await this.startMemoryServer();
      } catch (err) {
        failures.push(`mongodb-memory-server: ${(err as Error).message.split('\n')[0]}`);
        this.markFailed(MEMORY_SERVER_MARKER);
      }
    }
    if (ferretdb)
      return this.startProcess(ferretdbSpec(ferretdb, this.dataDir('ferretdb'), await freePort()));
    throw new BackingServiceUnavailableError(
      `No MongoDB: set MONGO_URI, or install mongod or ferretdb on the PATH (npm run setup builds FerretDB). Tried ${failures.join('; ')}.`,
    );
  }

  private async startMemoryServer(): Promise<string> {
    // A development dependency: absent from production images, where MONGO_URI is required anyway.
    const { MongoBinary, MongoMemoryServer } = await import('mongodb-memory-server');
    // Resolve (download once, then cache) the mongod binary first: offline this fails quietly,
    // where MongoMemoryServer.create would print a stack trace before failing.
    const binary = await MongoBinary.getPath();
    const server = await MongoMemoryServer.create({
      binary: { systemBinary: binary },
      instance: { dbPath: this.dataDir('mongodb-memory-server'), storageEngine: 'wiredTiger' },
    });
    this.stoppers.push(() => server.stop({ doCleanup: false }));
    this.logger.log(
      `Started an embedded MongoDB (mongodb-memory-server) with data in ${join(this.app.dataDir, 'mongodb-memory-server')}`,
    );
    return server.getUri();
  }

  private async findOrStartRedis(): Promise<string> {
    if (await portAccepts(DEFAULT_REDIS_PORT)) return `redis://127.0.0.1:${DEFAULT_REDIS_PORT}`;
    const binary = findOnPath('redis-server');
    if (!binary) {
      throw new BackingServiceUnavailableError(
        'No Redis: set REDIS_URL, start Redis on 127.0.0.1:6379, or install redis-server (npm run setup installs it).',
      );
    }
    return this.startProcess(
      redisServerSpec(binary, this.dataDir('redis'), await freePort(), { persistent: true }),
    );
  }

  private async startProcess(
    spec: ConstructorParameters<typeof ServiceProcess>[0],
  ): Promise<string> {
    const child = new ServiceProcess(spec);
    await child.start();
    this.stoppers.push(() => child.stop());
    const scheme = spec.name === 'redis-server' ? 'redis' : 'mongodb';
    this.logger.log(
      `Started an embedded ${spec.name} on 127.0.0.1:${spec.port} with data under ${this.app.dataDir}`,
    );
    return `${scheme}://127.0.0.1:${spec.port}`;
  }
}
