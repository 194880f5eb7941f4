import type { Connection } from 'mongoose';

const FINISHED = ['completed', 'failed', 'cancelled'];

interface StoredTask {
  task_id: string;
  status: string;
  selected_agent: string | null;
  error: { code?: unknown; message?: unknown; retryable?: unknown; attempts?: unknown } | null;
  result: { raw_output?: unknown } | null;
}

export interface LedgerAudit {
  /** How many of the tasks are in each status. */
  byStatus: Record<string, number>;
  /** Every broken invariant, one readable line each; empty when all hold. */
  problems: string[];
}

/**
 * Checks what "exactly once" means for finished tasks, from the database alone:
 * - every task exists and is finished (none queued or processing);
 * - a completed task has one user and one assistant message, a result, the router's run and
 *   its agent's run (agent_runs unique per run_id), and exactly one 'task completed' log;
 * - a failed task has an error document (code, message, retryable, attempts) and at most one
 *   'task failed' log.
 */
export async function auditTasks(db: Connection, taskIds: readonly string[]): Promise<LedgerAudit> {
  const ids = [...taskIds];
  const [tasks, messages, runs, logs] = await Promise.all([
    db
      .collection('tasks')
      .find({ task_id: { $in: ids } })
      .toArray() as unknown as Promise<StoredTask[]>,
    db
      .collection('messages')
      .find({ task_id: { $in: ids } })
      .toArray(),
    db
      .collection('agent_runs')
      .find({ task_id: { $in: ids } })
      .toArray(),
    db
      .collection('logs')
      .find({ 'context.task_id': { $in: ids } })
      .toArray(),
  ]);
  const group = <T>(items: T[], key: (item: T) => string): Map<string, T[]> => {
    const out = new Map<string, T[]>();
    for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
    return out;
  };
  const tasksById = group(tasks, (t) => t.task_id);
  const messagesByTask = group(messages, (m) => String(m.task_id));
  const runsByTask = group(runs, (r) => String(r.task_id));
  const logsByTask = group(logs, (l) => String((l.context as { task_id?: unknown }).task_id));

  const byStatus: Record<string, number> = {};
  const problems: string[] = [];
  for (const id of ids) {
    const found = tasksById.get(id) ?? [];
    if (found.length !== 1) {
      problems.push(`${id}: ${found.length} task documents`);
      continue;
    }
    const task = found[0];
    byStatus[task.status] = (byStatus[task.status] ?? 0) + 1;
    if (!FINISHED.includes(task.status)) {
      problems.push(`${id}: left ${task.status}`);
      continue;
    }
    const taskMessages = messagesByTask.get(id) ?? [];
    const count = (role: string) => taskMessages.filter((m) => m.role === role).length;
    const taskLogs = (logsByTask.get(id) ?? []).map((l) => String(l.message));
    const logCount = (message: string) => taskLogs.filter((m) => m === message).length;
    if (count('user') !== 1) problems.push(`${id}: ${count('user')} user messages`);
    if (task.status === 'completed') {
      if (count('assistant') !== 1)
        problems.push(`${id}: ${count('assistant')} assistant messages`);
      if (typeof task.result?.raw_output !== 'string')
        problems.push(`${id}: completed without a result`);
      const runIds = (runsByTask.get(id) ?? []).map((r) => String(r.run_id)).sort();
      const expected = [`${id}:${task.selected_agent}`, `${id}:router`].sort();
      if (new Set(runIds).size !== runIds.length || runIds.join() !== expected.join()) {
        problems.push(
          `${id}: agent runs ${JSON.stringify(runIds)}, expected ${JSON.stringify(expected)}`,
        );
      }
      if (logCount('task completed') !== 1) {
        problems.push(`${id}: ${logCount('task completed')} 'task completed' logs`);
      }
    }
    if (task.status === 'failed') {
      const e = task.error;
      const complete =
        typeof e?.code === 'string' &&
        typeof e.message === 'string' &&
        typeof e.retryable === 'boolean' &&
        typeof e.attempts === 'number';
      if (!complete) problems.push(`${id}: failed without a complete error document`);
      if (count('assistant') !== 0) problems.push(`${id}: failed but has an assistant message`);
      if (logCount('task failed') > 1)
        problems.push(`${id}: ${logCount('task failed')} 'task failed' logs`);
    }
  }
  return { byStatus, problems };
}

/**
 * Audits until every invariant holds or the deadline passes, and returns the last audit. A
 * worker writes a task's outcome log just after the task's final state, so the two are only
 * eventually consistent: a single audit right after the state changed could see the log missing.
 */
export async function settledAudit(
  db: Connection,
  taskIds: readonly string[],
  timeoutMs = 15_000,
): Promise<LedgerAudit> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const audit = await auditTasks(db, taskIds);
    if (audit.problems.length === 0 || Date.now() > deadline) return audit;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Polls until every task is finished (or the deadline turns a hang into a failure). */
export async function waitUntilFinished(
  db: Connection,
  taskIds: readonly string[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let open = taskIds.length;
  while (Date.now() < deadline) {
    try {
      open = await db
        .collection('tasks')
        .countDocuments({ task_id: { $in: [...taskIds] }, status: { $nin: FINISHED } });
      if (open === 0) return;
    } catch {
      // the database is coming back; ask again
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const left = await db
    .collection('tasks')
    .find(
      { task_id: { $in: [...taskIds] }, status: { $nin: FINISHED } },
      { projection: { _id: 0, task_id: 1, status: 1, attempts: 1, requeues: 1 } },
    )
    .toArray();
  throw new Error(
    `${open} of ${taskIds.length} tasks did not finish within ${timeoutMs} ms: ${JSON.stringify(left.slice(0, 10))}`,
  );
}
