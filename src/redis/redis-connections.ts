import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';

export interface RedisConnectionSettings {
  url: string;
  /** REDIS_GLOBAL_KEYPREFIX: prepended to every key this service writes. */
  keyPrefix: string;
  /** QUEUE_BROKER_URL: where the BullMQ queues live, when not in the main Redis. */
  queueUrl?: string;
}

/**
 * Owns every Redis connection of the process, each with a name (visible in CLIENT LIST), and
 * closes them all at shutdown. `commands` is the shared client for ordinary commands; blocking
 * readers and subscribers ask for their own with `create`.
 */
export class RedisConnections implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private readonly open = new Set<Redis>();
  readonly commands: Redis;

  constructor(readonly settings: RedisConnectionSettings) {
    this.commands = this.create('commands', { keyPrefix: settings.keyPrefix });
  }

  /**
   * A new named connection. BullMQ connections pass `maxRetriesPerRequest: null` and no keyPrefix
   * (BullMQ applies the prefix itself).
   */
  create(name: string, options: RedisOptions = {}, url = this.settings.url): Redis {
    const client = new Redis(url, {
      connectionName: `ao:${name}`,
      maxRetriesPerRequest: 2,
      retryStrategy: (times) => Math.min(times * 200, 2000),
      ...options,
    });
    client.on('error', (err: Error) =>
      this.logger.warn(`Redis connection ${name}: ${err.message}`),
    );
    this.open.add(client);
    client.once('end', () => this.open.delete(client));
    return client;
  }

  /** A connection to the queue broker, for BullMQ (which applies the key prefix itself). */
  createForQueue(name: string, options: RedisOptions = {}): Redis {
    return this.create(
      name,
      { maxRetriesPerRequest: null, ...options },
      this.settings.queueUrl ?? this.settings.url,
    );
  }

  /** BullMQ's key prefix: REDIS_GLOBAL_KEYPREFIX + "bull". */
  get queuePrefix(): string {
    return `${this.settings.keyPrefix}bull`;
  }

  /** Prefixes a key the way the `commands` client does, for code that builds keys for other clients. */
  key(name: string): string {
    return `${this.settings.keyPrefix}${name}`;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(
      [...this.open].map(async (client) => {
        try {
          await client.quit();
        } catch {
          client.disconnect();
        }
      }),
    );
  }
}
