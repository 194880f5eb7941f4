import { RedisCluster, waitFor } from '@agent-orchestrator/testing';

/** The test harness's Redis Cluster is a real one: slots are split, and a replica takes over. */
describe('the test Redis Cluster', () => {
  let cluster: RedisCluster;

  beforeAll(async () => {
    cluster = await RedisCluster.start({ nodeTimeoutMs: 1000 });
  }, 60_000);
  afterAll(() => cluster?.stop());

  it('runs three masters with one replica each, serving all 16384 slots', async () => {
    const shards = await cluster.shards();
    expect(shards).toHaveLength(3);
    for (const shard of shards) expect(shard.replicas).toHaveLength(1);
    const served = shards.flatMap((s) => s.slots).reduce((n, [from, to]) => n + to - from + 1, 0);
    expect(served).toBe(16384);
  });

  it('moves a killed master’s slots to its replica, which keeps the data', async () => {
    const client = cluster.client();
    try {
      await client.set('{failover}:probe', 'kept');
      const before = await cluster.shardOf('{failover}:probe');
      // WAIT: the write has reached the replica before its master dies.
      expect(await cluster.onNode(before.master, (r) => r.wait(1, 5000))).toBe(1);
      await cluster.kill(before.master);
      const after = await waitFor(
        async () => {
          const shard = await cluster.shardOf('{failover}:probe');
          return shard.master.port !== before.master.port ? shard : undefined;
        },
        'the replica to take over',
        30_000,
      );
      expect(after.master.port).toBe(before.replicas[0].port);
      expect(await client.get('{failover}:probe')).toBe('kept');
    } finally {
      client.disconnect();
    }
  }, 60_000);
});
