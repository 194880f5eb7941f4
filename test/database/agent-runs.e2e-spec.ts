import type { AgentRunRecord } from '../../src/agents/peer-agent.types';
import { AgentRunsRepository } from '../../src/tasks/agent-runs.repository';
import { AGENT_RUN_MODEL, AgentRunSchema } from '../../src/tasks/agent-run.schema';
import { type MonitoredModel, monitoredModel } from './monitored-model';

describe('AgentRunsRepository.saveAll (against the test MongoDB)', () => {
  let db: MonitoredModel<AgentRunRecord>;
  let repository: AgentRunsRepository;

  const run = (taskId: string, agent: string, output: string): AgentRunRecord => ({
    run_id: `${taskId}:${agent}`,
    task_id: taskId,
    session_id: 's-1',
    agent_name: agent,
    agent_role: agent === 'router' ? 'router' : 'executor',
    input: 'Write a haiku',
    output,
    model: 'gpt-4o-mini',
    tools_used: [],
    started_at: new Date(),
    finished_at: new Date(),
    duration_ms: 12,
    token_usage: { prompt: 3, completion: 4, total: 7 },
    cost_usd: 0.0001,
  });

  beforeAll(async () => {
    db = await monitoredModel<AgentRunRecord>(AGENT_RUN_MODEL, AgentRunSchema);
    repository = new AgentRunsRepository(db.model);
  });

  beforeEach(() => (db.commands.length = 0));

  afterAll(async () => {
    await repository.onModuleDestroy();
    await db.close();
  });

  it('stores each run once: the first write wins and a repeat changes nothing', async () => {
    await repository.saveAll([run('t-1', 'router', 'first'), run('t-1', 'CodeAgent', 'code')]);
    await repository.saveAll([run('t-1', 'router', 'second')]);
    const stored = await repository.forTask('t-1');
    expect(stored.map((r) => [r.agent_name, r.output])).toEqual([
      ['router', 'first'],
      ['CodeAgent', 'code'],
    ]);
  });

  it('writes runs with inserts alone, no filtered upsert', async () => {
    await repository.saveAll([run('t-2', 'router', 'a'), run('t-2', 'CodeAgent', 'b')]);
    await repository.saveAll([run('t-2', 'router', 'again')]);
    expect(db.commands.every((name) => name === 'insert')).toBe(true);
    expect(await repository.forTask('t-2')).toHaveLength(2);
  });

  it('does not double a run stored earlier under an ObjectId (the unique run_id index)', async () => {
    await db.model.collection.insertOne({ ...run('t-3', 'router', 'old format') });
    await repository.saveAll([run('t-3', 'router', 'new format')]);
    const stored = await repository.forTask('t-3');
    expect(stored.map((r) => r.output)).toEqual(['old format']);
  });

  it('still fails on errors other than an existing run', async () => {
    const broken = { ...run('t-4', 'router', 'x'), run_id: { $bad: 1 } as unknown as string };
    await expect(repository.saveAll([broken])).rejects.toThrow();
  });
});
