import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { findOnPath } from '../../../../src/backing-services/find-on-path';
import { freePort } from '../../../../src/backing-services/free-port';
import { ServiceProcess } from '../../../../src/backing-services/service-process';
import { REDIS_MISSING } from './redis-server';

const run = promisify(execFile);

export const REDIS_CLI_MISSING =
  'No redis-cli for the Redis Cluster tests: install redis-tools (Debian: apt-get install redis-tools; or run scripts/install-test-services.sh).';

export interface RedisClusterOptions {
  /** Masters, each holding a third (a share) of the 16384 slots. Default 3. */
  masters?: number;
  /** Replicas per master. Default 1. */
  replicasPerMaster?: number;
  /** cluster-node-timeout: how long a master may be unreachable before its replica takes over. */
  nodeTimeoutMs?: number;
  /** requirepass + masterauth on every node (AUTH as the default user). */
  password?: string;
  /** TLS on every client, replication and cluster-bus link (PEM files). */
  tls?: { certFile: string; keyFile: string; caFile: string };
}

/** One redis-server of the cluster, with the port it serves clients on. */
export interface ClusterNodeProcess {
  port: number;
  /** `127.0.0.1:<port>`, the node's address as the cluster announces it. */
  address: string;
  process: ServiceProcess;
}

export interface ClusterShard {
  master: ClusterNodeProcess;
  replicas: ClusterNodeProcess[];
  /** Slot ranges `[from, to]` the master serves. */
  slots: [number, number][];
}

/**
 * A real Redis Cluster from the `redis-server` binary: `cluster-enabled yes` nodes on free ports
 * (client and bus port both chosen, so nothing collides with another run), joined with
 * `redis-cli --cluster create --cluster-replicas N`, ready once every node reports
 * `cluster_state:ok` and every replica is in sync. Each node keeps its `nodes.conf` in its own
 * folder, so a stopped node can be started again and rejoins.
 */
export class RedisCluster {
  private constructor(
    readonly nodes: ClusterNodeProcess[],
    private readonly options: RedisClusterOptions,
    private readonly dir: string,
  ) {}

  static async start(options: RedisClusterOptions = {}): Promise<RedisCluster> {
    const server = findOnPath('redis-server');
    if (!server) throw new Error(REDIS_MISSING);
    const cli = findOnPath('redis-cli');
    if (!cli) throw new Error(REDIS_CLI_MISSING);
    const masters = options.masters ?? 3;
    const replicas = options.replicasPerMaster ?? 1;
    const dir = mkdtempSync(join(tmpdir(), 'ao-redis-cluster-'));
    const nodes: ClusterNodeProcess[] = [];
    const cluster = new RedisCluster(nodes, options, dir);
    try {
      for (let i = 0; i < masters * (1 + replicas); i++) {
        const port = await freePort();
        const busPort = await freePort();
        const nodeDir = join(dir, String(port));
        mkdirSync(nodeDir);
        const process = new ServiceProcess({
          name: `redis-server (cluster node ${port})`,
          command: server,
          args: cluster.nodeArgs(port, busPort, nodeDir),
          port,
        });
        await process.start();
        nodes.push({ port, address: `127.0.0.1:${port}`, process });
      }
      await run(
        cli,
        [
          ...cluster.cliArgs(),
          '--cluster',
          'create',
          ...nodes.map((n) => n.address),
          '--cluster-replicas',
          String(replicas),
          '--cluster-yes',
        ],
        { timeout: 30_000 },
      );
      await cluster.waitUntilReady();
      return cluster;
    } catch (err) {
      await cluster.stop();
      throw err;
    }
  }

  /** The seeds, as REDIS_CLUSTER_NODES takes them. */
  get seeds(): string[] {
    return this.nodes.map((n) => n.address);
  }

  /** The service's environment for this cluster. */
  get env(): Record<string, string> {
    const env: Record<string, string> = {
      REDIS_CLUSTER: 'true',
      REDIS_CLUSTER_NODES: this.seeds.join(','),
    };
    if (this.options.password) env.REDIS_PASSWORD = this.options.password;
    if (this.options.tls) {
      env.REDIS_TLS = 'true';
      env.REDIS_TLS_CA_FILE = this.options.tls.caFile;
    }
    return env;
  }

  /** Options every connection to a node needs (AUTH, TLS). */
  get nodeOptions(): RedisOptions {
    const options: RedisOptions = {};
    if (this.options.password) options.password = this.options.password;
    if (this.options.tls) options.tls = { ca: readFileSync(this.options.tls.caFile) };
    return options;
  }

  /** A cluster client for a test's own checks; the caller disconnects it. */
  client(options: { keyPrefix?: string } = {}): Cluster {
    return new Cluster(this.seeds, {
      redisOptions: this.nodeOptions,
      keyPrefix: options.keyPrefix,
    });
  }

  /** A plain connection to one node (CLIENT LIST, INFO, CLUSTER ...). */
  nodeClient(node: ClusterNodeProcess): Redis {
    return new Redis(node.port, '127.0.0.1', {
      ...this.nodeOptions,
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
      lazyConnect: true,
    });
  }

  /** Runs one command on one node and closes the connection. */
  async onNode<T>(node: ClusterNodeProcess, command: (redis: Redis) => Promise<T>): Promise<T> {
    const redis = this.nodeClient(node);
    try {
      await redis.connect();
      return await command(redis);
    } finally {
      redis.disconnect();
    }
  }

  get running(): ClusterNodeProcess[] {
    return this.nodes.filter((n) => n.process.pid !== undefined);
  }

  /** Masters and replicas as a running node sees them now. */
  async shards(): Promise<ClusterShard[]> {
    const [asker] = this.running;
    const reply = (await this.onNode(asker, (r) => r.call('CLUSTER', 'SHARDS'))) as unknown[];
    const byPort = new Map(this.nodes.map((n) => [n.port, n]));
    const shards: ClusterShard[] = [];
    for (const entry of reply) {
      const shard = pairs(entry as unknown[]);
      const slots = shard.get('slots') as number[];
      const members = (shard.get('nodes') as unknown[][]).map((n) => pairs(n));
      // A replica with nothing replicated yet reports `loading`; a dead node `fail`.
      const live = members.filter((m) => m.get('health') !== 'fail');
      const master = live.find((m) => m.get('role') === 'master');
      if (!master || slots.length === 0) continue;
      const node = (m: Map<string, unknown>) => byPort.get(Number(m.get('port')));
      shards.push({
        master: node(master)!,
        replicas: live
          .filter((m) => m.get('role') === 'replica')
          .map(node)
          .filter((n): n is ClusterNodeProcess => !!n),
        slots: chunk(slots),
      });
    }
    return shards;
  }

  /** The shard whose master serves `key` (a full key, prefix included). */
  async shardOf(key: string): Promise<ClusterShard> {
    const [asker] = this.running;
    const slot = Number(await this.onNode(asker, (r) => r.call('CLUSTER', 'KEYSLOT', key)));
    const shard = (await this.shards()).find((s) =>
      s.slots.some(([from, to]) => slot >= from && slot <= to),
    );
    if (!shard) throw new Error(`No master serves slot ${slot} (key ${key})`);
    return shard;
  }

  /** SIGKILLs a node, as a crashed machine would go. */
  async kill(node: ClusterNodeProcess): Promise<void> {
    await node.process.stop('SIGKILL');
  }

  /**
   * Waits until every running node reports `cluster_state:ok`, all slots are served, and every
   * running replica has its replication link up (so a failover finds its data there).
   */
  async waitUntilReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      try {
        const states = await Promise.all(
          this.running.map((node) =>
            this.onNode(node, async (r) => ({
              cluster: await r.call('CLUSTER', 'INFO'),
              replication: await r.info('replication'),
            })),
          ),
        );
        const notOk = states.filter(
          ({ cluster, replication }) =>
            !String(cluster).includes('cluster_state:ok') ||
            !String(cluster).includes('cluster_slots_ok:16384') ||
            (replication.includes('role:slave') && !replication.includes('master_link_status:up')),
        );
        if (notOk.length === 0) return;
        last = String(notOk[0].cluster).split('\r\n').slice(0, 3).join(' ');
      } catch (err) {
        last = (err as Error).message;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`The Redis Cluster did not become ready: ${last}`);
  }

  /** Connected clients on every running node, this harness's probes left out. */
  async clientCount(filter: (line: string) => boolean = () => true): Promise<number> {
    const counts = await Promise.all(
      this.running.map((node) =>
        this.onNode(node, async (r) => {
          const own = await r.client('ID');
          return String(await r.client('LIST'))
            .trim()
            .split('\n')
            .filter((line) => !line.startsWith(`id=${own} `) && filter(line)).length;
        }),
      ),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  /** Deletes every key on every master (between benchmark rounds). */
  async flushAll(): Promise<void> {
    const shards = await this.shards();
    await Promise.all(shards.map((s) => this.onNode(s.master, (r) => r.flushall())));
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.nodes.map((n) => n.process.stop()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private nodeArgs(port: number, busPort: number, dir: string): string[] {
    const { password, tls, nodeTimeoutMs } = this.options;
    const args = [
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      join(dir, 'nodes.conf'),
      '--cluster-node-timeout',
      String(nodeTimeoutMs ?? 2000),
      '--cluster-port',
      String(busPort),
    ];
    args.push(...(tls ? ['--port', '0', '--tls-port', String(port)] : ['--port', String(port)]));
    if (password) args.push('--requirepass', password, '--masterauth', password);
    if (tls) {
      args.push(
        '--tls-cert-file',
        tls.certFile,
        '--tls-key-file',
        tls.keyFile,
        '--tls-ca-cert-file',
        tls.caFile,
        '--tls-auth-clients',
        'no',
        '--tls-cluster',
        'yes',
        '--tls-replication',
        'yes',
      );
    }
    return args;
  }

  private cliArgs(): string[] {
    const args: string[] = [];
    if (this.options.password) args.push('--no-auth-warning', '-a', this.options.password);
    if (this.options.tls) args.push('--tls', '--cacert', this.options.tls.caFile);
    return args;
  }
}

/** RESP maps arrive as flat [key, value, ...] lists. */
function pairs(list: unknown[]): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (let i = 0; i + 1 < list.length; i += 2) map.set(String(list[i]), list[i + 1]);
  return map;
}

function chunk(flat: number[]): [number, number][] {
  const ranges: [number, number][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) ranges.push([Number(flat[i]), Number(flat[i + 1])]);
  return ranges;
}
