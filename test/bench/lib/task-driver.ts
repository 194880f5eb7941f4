import { Agent, request } from 'node:http';
import mongoose from 'mongoose';
import { BENCH_API_KEY } from './service';

/** Tasks the demo script routes to the CodeAgent: one router call and one code call each. */
export const CODE_TASKS = [
  'Write a Python function that reverses a string',
  'Write a TypeScript function that checks whether a number is prime',
  'Implement a Python script that counts the words in a file',
  'Write a JavaScript function that debounces another function',
];

/** Tasks the demo script routes to the ContentAgent (streamed, so they emit delta events). */
export const CONTENT_TASKS = [
  'Write a blog post about the history of the printing press',
  'Write an article that explains how vaccines work',
  'Write a short essay comparing trains and planes for travel in Europe',
];

const FINAL = ['completed', 'failed', 'cancelled'];

/** POST /v1/agent/execute over keep-alive connections. Resolves with the task id. */
export class TaskSubmitter {
  private readonly agent: Agent;

  constructor(
    private readonly apiOrigin: string,
    connections = 50,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: connections });
  }

  submit(task: string): Promise<string> {
    const body = JSON.stringify({ task });
    const url = new URL('/v1/agent/execute', this.apiOrigin);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'x-api-key': BENCH_API_KEY,
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => {
            if (res.statusCode !== 200) {
              reject(new Error(`POST /v1/agent/execute answered ${res.statusCode}: ${text}`));
              return;
            }
            resolve((JSON.parse(text) as { task_id: string }).task_id);
          });
        },
      );
      req.setTimeout(60_000, () =>
        req.destroy(new Error('POST /v1/agent/execute: no answer in 60 s')),
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Submits `count` tasks with `concurrency` requests in flight; returns their ids in order. */
  async submitMany(count: number, texts: string[], concurrency = 50): Promise<string[]> {
    const ids: string[] = new Array<string>(count);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, count) }, async () => {
        while (next < count) {
          const i = next++;
          ids[i] = await this.submit(texts[i % texts.length]);
        }
      }),
    );
    return ids;
  }

  /** Submits `count` tasks at a fixed rate (open loop), whatever the answers take. */
  async submitPaced(count: number, texts: string[], perSecond: number): Promise<string[]> {
    const started = Date.now();
    const pending: Promise<string>[] = [];
    for (let i = 0; i < count; i++) {
      const due = started + (i * 1000) / perSecond;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      pending.push(this.submit(texts[i % texts.length]));
    }
    return Promise.all(pending);
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface TaskTiming {
  task_id: string;
  status: string;
  created_at: number;
  started_at: number;
  completed_at: number;
  /** Sum of the task's agent_runs durations (router + agent). */
  llm_ms: number;
  runs: number;
}

/** Reads task documents and agent runs straight from the service's database. */
export class TaskStore {
  /** Database commands this store sent (for subtracting from the server's counters). */
  readonly sent: Record<string, number> = {};

  private constructor(
    private readonly client: mongoose.mongo.MongoClient,
    private readonly db: mongoose.mongo.Db,
  ) {}

  static async open(uri: string, dbName: string): Promise<TaskStore> {
    // Timeouts, so a database that stops answering ends the benchmark instead of hanging it.
    const client = await mongoose.mongo.MongoClient.connect(uri, {
      serverSelectionTimeoutMS: 10_000,
      socketTimeoutMS: 60_000,
    });
    return new TaskStore(client, client.db(dbName));
  }

  finishedCount(): Promise<number> {
    // countDocuments is an `aggregate` on the wire.
    this.sent.aggregate = (this.sent.aggregate ?? 0) + 1;
    return this.db.collection('tasks').countDocuments({ status: { $in: FINAL } });
  }

  /**
   * Polls until `expected` tasks are finished. Throws, with the tasks counted by status, after
   * `timeoutMs`, or when none has finished for `stallMs`.
   */
  async waitForFinished(
    expected: number,
    timeoutMs: number,
    pollMs = 200,
    stallMs = 120_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = -1;
    let lastProgress = Date.now();
    for (;;) {
      let done = last;
      let problem = '';
      try {
        done = await this.finishedCount();
      } catch (err) {
        problem = `; the database did not answer (${err instanceof Error ? err.message : String(err)})`;
      }
      if (done >= expected) return;
      if (done !== last) {
        last = done;
        lastProgress = Date.now();
      }
      if (Date.now() > deadline || Date.now() - lastProgress > stallMs) {
        const byStatus = await this.countByStatus().catch(() => 'unknown (no answer)');
        throw new Error(
          `only ${done} of ${expected} tasks finished (${Date.now() > deadline ? `in ${timeoutMs} ms` : `none for ${stallMs} ms`}); by status: ${JSON.stringify(byStatus)}${problem}`,
        );
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  async countByStatus(): Promise<Record<string, number>> {
    this.sent.aggregate = (this.sent.aggregate ?? 0) + 1;
    const rows = await this.db
      .collection('tasks')
      .aggregate<{ _id: string; n: number }>([{ $group: { _id: '$status', n: { $sum: 1 } } }])
      .toArray();
    return Object.fromEntries(rows.map((r) => [r._id, r.n]));
  }

  /** Timings of the given tasks (all tasks when `ids` is omitted). */
  async timings(ids?: string[]): Promise<TaskTiming[]> {
    const filter = ids ? { task_id: { $in: ids } } : {};
    this.sent.find = (this.sent.find ?? 0) + 2;
    const [tasks, runs] = await Promise.all([
      this.db
        .collection('tasks')
        .find(filter, {
          projection: {
            _id: 0,
            task_id: 1,
            status: 1,
            created_at: 1,
            started_at: 1,
            completed_at: 1,
          },
        })
        .toArray(),
      this.db
        .collection('agent_runs')
        .find(filter, { projection: { _id: 0, task_id: 1, duration_ms: 1 } })
        .toArray(),
    ]);
    const llm = new Map<string, { ms: number; runs: number }>();
    for (const run of runs) {
      const entry = llm.get(run.task_id as string) ?? { ms: 0, runs: 0 };
      entry.ms += Number(run.duration_ms);
      entry.runs += 1;
      llm.set(run.task_id as string, entry);
    }
    return tasks.map((t) => ({
      task_id: t.task_id as string,
      status: t.status as string,
      created_at: (t.created_at as Date).getTime(),
      started_at: (t.started_at as Date | null)?.getTime() ?? NaN,
      completed_at: (t.completed_at as Date | null)?.getTime() ?? NaN,
      llm_ms: llm.get(t.task_id as string)?.ms ?? 0,
      runs: llm.get(t.task_id as string)?.runs ?? 0,
    }));
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
