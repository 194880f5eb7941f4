import { BusinessLogsRepository } from '../../src/business-logs/business-logs.repository';
import type { BusinessLogRecord } from '../../src/business-logs/business-log.record';
import { BUSINESS_LOG_MODEL, BusinessLogSchema } from '../../src/business-logs/business-log.schema';
import { type MonitoredModel, monitoredModel } from './monitored-model';

describe('BusinessLogsRepository.insertOnce (against the test MongoDB)', () => {
  let db: MonitoredModel<BusinessLogRecord>;
  let repository: BusinessLogsRepository;

  const record = (
    taskId: string,
    message: string,
  ): BusinessLogRecord & { context: { task_id: string } } => ({
    timestamp: new Date(),
    level: 'INFO',
    message,
    context: { task_id: taskId, session_id: 's-1', agent_name: 'CodeAgent' },
  });

  beforeAll(async () => {
    db = await monitoredModel<BusinessLogRecord>(BUSINESS_LOG_MODEL, BusinessLogSchema);
    repository = new BusinessLogsRepository(db.model);
  });

  beforeEach(() => (db.commands.length = 0));

  afterAll(async () => {
    await repository.onModuleDestroy();
    await db.close();
  });

  it('stores a task’s record once: a second call with the same message inserts nothing', async () => {
    expect(await repository.insertOnce(record('t-1', 'task completed'))).toBe(true);
    expect(await repository.insertOnce(record('t-1', 'task completed'))).toBe(false);
    const stored = await repository.forTask('t-1');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ message: 'task completed', context: { task_id: 't-1' } });
  });

  it('checks for an earlier record by primary key: one insert, no filtered update', async () => {
    // A filter on context.task_id is a collection scan on FerretDB (no dotted filter push-down).
    await repository.insertOnce(record('t-5', 'task completed'));
    await repository.insertOnce(record('t-5', 'task completed'));
    expect(db.commands).toEqual(['insert', 'insert']);
  });

  it('lets exactly one of several concurrent writers insert', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, () => repository.insertOnce(record('t-2', 'task completed'))),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect(await repository.forTask('t-2')).toHaveLength(1);
  });

  it('keeps other messages of the same task, and the same message of other tasks', async () => {
    expect(await repository.insertOnce(record('t-3', 'task completed'))).toBe(true);
    expect(await repository.insertOnce(record('t-3', 'task failed'))).toBe(true);
    expect(await repository.insertOnce(record('t-4', 'task completed'))).toBe(true);
    await repository.insert(record('t-3', 'task routed'));
    await repository.insert(record('t-3', 'task routed'));
    const messages = (await repository.forTask('t-3')).map((r) => r.message).sort();
    expect(messages).toEqual(['task completed', 'task failed', 'task routed', 'task routed']);
  });
});
