import { Cluster, type Redis } from 'ioredis';
import type { RedisClient, RedisConnections } from './redis-connections';
import { clusterSlot } from './redis-keys';

/** XREAD's reply: per stream, its new entries. */
export type XReadReply = [key: string, entries: [id: string, fields: string[]][]][] | null;

/**
 * A connection for blocking reads of keys that share one slot, which another caller can cut
 * short (CLIENT UNBLOCK) when the set of keys to read changes. On one node it is a connection of
 * its own; on a cluster it is a Cluster client whose only node connection is the one to the
 * master of the keys' slot (ioredis connects to a node only when a command goes there), and it
 * follows that slot to a new master after a failover.
 */
export class BlockingReader {
  private readonly client: RedisClient;
  /** The node connection the reads go through, and its CLIENT ID there. */
  private blocked?: { node: Redis; nodeKey: string; id: number };

  constructor(
    private readonly redis: RedisConnections,
    name: string,
  ) {
    // No keyPrefix: keys come in full, so the caller sees the names it compares replies with.
    this.client = redis.create(name, { maxRetriesPerRequest: null, clusterReadyCheck: false });
  }

  /**
   * XREAD COUNT `count` BLOCK `blockMs` over `keys` (full names, one slot) from `ids`. Resolves
   * null when the block times out or `interrupt` cut it short.
   */
  async read(keys: string[], ids: string[], count: number, blockMs: number): Promise<XReadReply> {
    await this.learnClientId(keys[0]);
    return await this.client.xread('COUNT', count, 'BLOCK', blockMs, 'STREAMS', ...keys, ...ids);
  }

  /** Ends a read in progress early (it resolves null); a no-op when none is. */
  async interrupt(): Promise<void> {
    const blocked = this.blocked;
    if (!blocked) return;
    const via = this.commandsTo(blocked.nodeKey);
    await via?.client('UNBLOCK', blocked.id).catch(() => undefined);
  }

  close(): void {
    this.client.disconnect();
  }

  /**
   * CLIENT ID of the connection the next read goes through, asked on that very connection
   * before it blocks (and again whenever it is a new one: a reconnect, a failover).
   */
  private async learnClientId(key: string): Promise<void> {
    const node = this.nodeFor(key);
    if (!node) return; // a cluster still learning its slots: the read waits for it
    if (this.blocked?.node === node && node.status === 'ready') return;
    const id = Number(await node.client('ID'));
    this.blocked = { node, nodeKey: nodeKeyOf(node), id };
    node.once('close', () => {
      if (this.blocked?.node === node) this.blocked = undefined;
    });
  }

  private nodeFor(key: string): Redis | undefined {
    const client = this.client;
    if (!(client instanceof Cluster)) return client;
    const owner = client.slots[clusterSlot(key)]?.[0];
    return client.nodes('master').find((node) => nodeKeyOf(node) === owner);
  }

  /** A connection that can send CLIENT UNBLOCK to the node the reader is blocked on. */
  private commandsTo(nodeKey: string): Redis | undefined {
    const commands = this.redis.commands;
    if (!(commands instanceof Cluster)) return commands;
    return commands.nodes('all').find((node) => nodeKeyOf(node) === nodeKey);
  }
}

function nodeKeyOf(node: Redis): string {
  return `${node.options.host}:${node.options.port}`;
}
