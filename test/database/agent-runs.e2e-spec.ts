import { testBackends } from '@agent-orchestrator/testing';
import mongoose from 'mongoose';
import type { AgentRunRecord } from '../../src/agents/peer-agent.types';
import { AgentRunsRepository } from '../../src/tasks/agent-runs.repository';
import { AGENT_RUN_MODEL, AgentRunSchema } from '../../src/tasks/agent-run.schema';

describe('AgentRunsRepository.saveAll (against the test MongoDB)', () => {
  const backends = testBackends();
  let connection: mongoose.Connection;
  let model: mongoose.Model<AgentRunRecord>;
  let repository: AgentRunsRepository;
  const commands: string[] = [];

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
    connection = await mongoose
      .createConnection(backends.mongoUri, { dbName: backends.mongoDbName, monitorCommands: true })
      .asPromise();
    model = connection.model<AgentRunRecord>(AGENT_RUN_MODEL, AgentRunSchema);
    await model.createIndexes();
    repository = new AgentRunsRepository(model);
    connection.getClient().on('commandStarted', (event) => {
      if (event.commandName === 'insert' || event.commandName === 'update')
        commands.push(event.commandName);
    });
  });

  beforeEach(() => (commands.length = 0));

  afterAll(async () => {
    await repository.onModuleDestroy();
    await connection.dropDatabase();
    await connection.close();
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
    expect(commands.every((name) => name === 'insert')).toBe(true);
    expect(await repository.forTask('t-2')).toHaveLength(2);
  });

  it('does not double a run stored earlier under an ObjectId (the unique run_id index)', async () => {
    await model.collection.insertOne({ ...run('t-3', 'router', 'old format') });
    await repository.saveAll([run('t-3', 'router', 'new format')]);
    const stored = await repository.forTask('t-3');
    expect(stored.map((r) => r.output)).toEqual(['old format']);
  });

  it('still fails on errors other than an existing run', async () => {
    const broken = { ...run('t-4', 'router', 'x'), run_id: { $bad: 1 } as unknown as string };
    await expect(repository.saveAll([broken])).rejects.toThrow();
  });
});
