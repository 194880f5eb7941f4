import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectConnection } from '@nestjs/mongoose';
import { type Connection, ConnectionStates } from 'mongoose';
import { appConfig } from '../config';
import { RedisConnections } from '../redis/redis-connections';

export type DependencyState = 'up' | 'down';

/**
 * Cheap liveness checks of MongoDB and Redis, each bounded by HEALTH_CHECK_TIMEOUT_MS so a hung
 * dependency cannot hang a probe.
 */
@Injectable()
export class DependencyProbe {
  constructor(
    @InjectConnection() private readonly mongo: Connection,
    private readonly redis: RedisConnections,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  async mongoState(): Promise<DependencyState> {
    const db = this.mongo.db;
    if (this.mongo.readyState !== ConnectionStates.connected || !db) return 'down';
    return this.within(db.admin().ping());
  }

  async redisState(): Promise<DependencyState> {
    const client = this.redis.commands;
    if (client.status !== 'ready') return 'down';
    return this.within(client.ping());
  }

  private async within(check: Promise<unknown>): Promise<DependencyState> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<DependencyState>((resolve) => {
      timer = setTimeout(() => resolve('down'), this.app.healthCheckTimeoutMs);
    });
    try {
      return await Promise.race([check.then((): DependencyState => 'up'), timeout]);
    } catch {
      return 'down';
    } finally {
      clearTimeout(timer);
    }
  }
}
