import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { queueHashTag } from './redis-keys';

/** A connection to one Redis node, or to a Redis Cluster: the same commands either way. */
export type RedisClient = Redis | Cluster;

export interface ClusterSeed {
  host: string;
  port: number;
}

export interface RedisConnectionSettings {
  /** One node: its URL. Ignored when `clusterNodes` is set. */
  url?: string;
  /** REDIS_CLUSTER_NODES with REDIS_CLUSTER=true: every connection is then a Cluster client. */
  clusterNodes?: ClusterSeed[];
  /** REDIS_GLOBAL_KEYPREFIX: prepended to every key this service writes. */
  keyPrefix: string;
  /** QUEUE_BROKER_URL: where the BullMQ queues live, when not in the main Redis (one node only). */
  queueUrl?: string;
  /** AUTH for every node, where a URL carries none. */
  username?: string;
  password?: string;
  /** TLS for every node (a rediss:// URL turns it on too). */
  tls?: boolean;
  /** REDIS_TLS_CA_FILE's content: the CA that signed the nodes' certificates. */
  tlsCa?: Buffer;
}

/** What a connection's user may tune; the address, AUTH and TLS always come from the settings. */
export type ConnectionTuning = Pick<
  RedisOptions,
  'keyPrefix' | 'enableOfflineQueue' | 'maxRetriesPerRequest'
> & {
  /** Cluster only: SSUBSCRIBE/SPUBLISH through a subscriber per shard (ioredis shardedSubscribers). */
  shardedSubscribers?: boolean;
  /**
   * Cluster only, default true: CLUSTER INFO on a random node before the client is ready. A
   * client meant to hold one node's connection turns it off, or it holds a second one.
   */
  clusterReadyCheck?: boolean;
};

/**
 * Owns every Redis connection of the process, each with a name (visible in CLIENT LIST), and
 * closes them all at shutdown. `commands` is the shared client for ordinary commands; blocking
 * readers and subscribers ask for their own with `create`. With REDIS_CLUSTER=true each of them
 * is an ioredis `Cluster`, which opens a node connection only where its commands go, so a
 * blocking reader of one slot holds one connection, to that slot's master.
 */
export class RedisConnections implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private readonly open = new Set<RedisClient>();
  readonly commands: RedisClient;

  constructor(readonly settings: RedisConnectionSettings) {
    this.commands = this.create('commands', { keyPrefix: settings.keyPrefix });
  }

  get isCluster(): boolean {
    return this.settings.clusterNodes !== undefined;
  }

  /**
   * A new named connection. BullMQ connections pass `maxRetriesPerRequest: null` and no keyPrefix
   * (BullMQ applies the prefix itself).
   */
  create(name: string, tuning: ConnectionTuning = {}, url = this.settings.url): RedisClient {
    const client = this.settings.clusterNodes
      ? this.createCluster(name, this.settings.clusterNodes, tuning)
      : this.createNode(name, tuning, url);
    client.on('error', (err: Error) =>
      this.logger.warn(`Redis connection ${name}: ${err.message}`),
    );
    this.open.add(client);
    client.once('end', () => this.open.delete(client));
    return client;
  }

  /** A connection to the queue broker, for BullMQ (which applies the key prefix itself). */
  createForQueue(name: string, tuning: ConnectionTuning = {}): RedisClient {
    return this.create(
      name,
      { maxRetriesPerRequest: null, ...tuning },
      this.settings.queueUrl ?? this.settings.url,
    );
  }

  /**
   * BullMQ's key prefix. Its hash tag puts every key of every queue in one slot, which BullMQ's
   * Lua scripts need on a cluster: `{<REDIS_GLOBAL_KEYPREFIX>bull}`.
   */
  get queuePrefix(): string {
    return queueHashTag(this.settings.keyPrefix);
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

  private createNode(name: string, tuning: ConnectionTuning, url?: string): Redis {
    const { shardedSubscribers: _sharded, clusterReadyCheck: _check, ...options } = tuning;
    // ioredis lets the URL's own user, password and rediss:// win over these.
    return new Redis(url ?? 'redis://127.0.0.1:6379', {
      connectionName: `ao:${name}`,
      maxRetriesPerRequest: 2,
      retryStrategy: (times) => Math.min(times * 200, 2000),
      ...this.nodeAuth(url?.startsWith('rediss:') ?? false),
      ...options,
    });
  }

  private createCluster(name: string, seeds: ClusterSeed[], tuning: ConnectionTuning): Cluster {
    const { keyPrefix, enableOfflineQueue, maxRetriesPerRequest, shardedSubscribers } = tuning;
    const options: ClusterOptions = {
      keyPrefix,
      enableReadyCheck: tuning.clusterReadyCheck ?? true,
      enableOfflineQueue: enableOfflineQueue ?? true,
      shardedSubscribers: shardedSubscribers ?? false,
      // A lost cluster is tried again for ever, as a lost node is in single-node mode.
      clusterRetryStrategy: (times) => Math.min(times * 200, 2000),
      // During a failover commands meet CLUSTERDOWN or a dead master: ioredis waits and follows
      // the new slot owner instead of failing at once.
      retryDelayOnClusterDown: 200,
      retryDelayOnFailover: 200,
      redisOptions: {
        connectionName: `ao:${name}`,
        maxRetriesPerRequest: maxRetriesPerRequest === undefined ? 2 : maxRetriesPerRequest,
        ...this.nodeAuth(false),
      },
    };
    // Keep the announced host names: a TLS certificate names the host, not the address it has.
    if (this.settings.tls) options.dnsLookup = (address, done) => done(null, address);
    const cluster = new Cluster(
      seeds.map(({ host, port }) => ({ host, port })),
      options,
    );
    // A seed that turns out to be a replica gets READONLY from ioredis, which opens a connection
    // this client never uses (it reads from masters): close those after every slot refresh, so
    // each client holds connections only to the masters its commands go to.
    cluster.on('refresh', () => {
      for (const node of cluster.nodes('slave')) {
        if (node.status !== 'wait' && node.status !== 'end') node.disconnect();
      }
    });
    return cluster;
  }

  private nodeAuth(urlIsTls: boolean): Pick<RedisOptions, 'username' | 'password' | 'tls'> {
    const { username, password, tls, tlsCa } = this.settings;
    const auth: Pick<RedisOptions, 'username' | 'password' | 'tls'> = {};
    if (username) auth.username = username;
    if (password) auth.password = password;
    if (tls || urlIsTls) {
      const options: TlsOptions = {};
      if (tlsCa) options.ca = tlsCa;
      auth.tls = options;
    }
    return auth;
  }
}
