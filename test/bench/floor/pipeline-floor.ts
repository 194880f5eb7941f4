/**
 * The floor of the pipeline benchmark: a minimal worker that does what the spec says a task
 * needs and nothing else, run in its own process. A BullMQ worker on the same queue and options
 * as the service's (WORKER_CONCURRENCY jobs at once); per job, with the raw MongoDB driver and
 * `fetch` to the same OpenAI-compatible server:
 *
 *   claim the task (findOneAndUpdate by _id: queued → processing) · "processing" event ·
 *   router call · insert the router run · "routing" event · agent call · insert the agent run
 *   and the assistant message · complete the task (update by _id) · "completed" event.
 *
 * The tasks were accepted by accept-floor.ts (FLOOR_MODE=minimal), so they are stored under
 * `_id` = task_id. The prompts are the service's own (routing and code system prompts), so the
 * LLM server answers both workers alike.
 */
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { codeSystemPrompt } from '../../../src/agents/code/code-prompt';
import { routingSystemPrompt } from '../../../src/agents/routing-prompt';
import { queueHashTag } from '../../../src/redis/redis-keys';
import { connectRaw, env, eventsRedis } from './floor-store';

/** The service's two agents, as its router prompt lists them. */
const AGENTS = [
  {
    name: 'ContentAgent',
    type: 'content',
    description:
      'Writes long-form prose in Markdown: blog posts, articles, explanations, overviews, comparisons, summaries and research write-ups on any topic, citing web sources when available. Not for writing program code.',
  },
  {
    name: 'CodeAgent',
    type: 'code',
    description:
      'Writes program code: functions, scripts, classes, algorithms, SQL queries, regular expressions, bug fixes and refactorings in any programming language, with a short explanation.',
  },
];

interface ChatAnswer {
  text: string;
  usage: { prompt: number; completion: number; total: number };
}

interface TaskDoc {
  _id: string;
  session_id: string;
  input_text: string;
}

async function main(): Promise<void> {
  const llmUrl = env('LLM_URL');
  const prefix = env('REDIS_GLOBAL_KEYPREFIX');
  const { client, db } = await connectRaw();
  const tasks = db.collection<TaskDoc>('tasks');
  const runs = db.collection<{ _id: string }>('agent_runs');
  const messages = db.collection('messages');
  const events = eventsRedis('floor:events');
  const routerPrompt = routingSystemPrompt(AGENTS, '');

  async function chat(model: string, system: string, user: string): Promise<ChatAnswer> {
    const res = await fetch(`${llmUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer floor' },
      body: JSON.stringify({
        model,
        temperature: 0,
        response_format: { type: 'json_object' },
        messages: [
          { role: 'system', content: system },
          { role: 'user', content: user },
        ],
      }),
    });
    if (!res.ok) throw new Error(`LLM answered ${res.status}`);
    const body = (await res.json()) as {
      choices: { message: { content: string } }[];
      usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
    };
    const u = body.usage;
    return {
      text: body.choices[0].message.content,
      usage: {
        prompt: u?.prompt_tokens ?? 0,
        completion: u?.completion_tokens ?? 0,
        total: u?.total_tokens ?? 0,
      },
    };
  }

  function run(
    task: TaskDoc,
    name: string,
    role: 'router' | 'executor',
    model: string,
    started: Date,
    answer: ChatAnswer,
  ) {
    const finished = new Date();
    const runId = `${task._id}:${role === 'router' ? 'router' : name}`;
    return {
      _id: runId,
      run_id: runId,
      task_id: task._id,
      session_id: task.session_id,
      agent_name: name,
      agent_role: role,
      input: task.input_text,
      output: answer.text,
      model,
      tools_used: [],
      started_at: started,
      finished_at: finished,
      duration_ms: finished.getTime() - started.getTime(),
      token_usage: answer.usage,
      cost_usd: null,
    };
  }

  async function processTask(taskId: string, attempt: number): Promise<void> {
    const now = new Date();
    const task = await tasks.findOneAndUpdate(
      { _id: taskId },
      { $set: { status: 'processing', started_at: now, updated_at: now, attempts: attempt } },
      // No projection: FerretDB does not implement findAndModify's `fields`.
      { returnDocument: 'after' },
    );
    if (!task) return;
    void events.append({ task_id: taskId, type: 'status', status: 'processing' });

    const routedAt = new Date();
    const routed = await chat('gpt-4.1-mini', routerPrompt, task.input_text);
    const decision = JSON.parse(routed.text) as {
      agent_name: string;
      agent_type: string;
      confidence: number;
      reasoning: string;
    };
    const routerRun = run(task, 'PeerAgent', 'router', 'gpt-4.1-mini', routedAt, routed);
    void events.append({ task_id: taskId, type: 'routing', data: decision });

    const agentAt = new Date();
    const answer = await chat('gpt-4.1', codeSystemPrompt(), task.input_text);
    const code = JSON.parse(answer.text) as { language: string; description: string; code: string };
    const markdown = `${code.description}\n\n\`\`\`${code.language}\n${code.code}\n\`\`\``;
    const agentRun = run(task, decision.agent_name, 'executor', 'gpt-4.1', agentAt, answer);
    const done = new Date();
    await Promise.all([
      runs.insertMany([routerRun, agentRun]),
      messages.insertOne({
        session_id: task.session_id,
        task_id: taskId,
        role: 'assistant',
        agent_name: decision.agent_name,
        content: markdown,
        created_at: done,
      }),
    ]);
    await tasks.updateOne(
      { _id: taskId },
      {
        $set: {
          status: 'completed',
          completed_at: done,
          updated_at: done,
          selected_agent: decision.agent_name,
          agent_type: decision.agent_type,
          peer_routing_reason: decision.reasoning,
          routing_confidence: decision.confidence,
          result: {
            summary: code.description,
            raw_output: markdown,
            code_language: code.language,
            citations: [],
          },
          cost: {
            prompt_tokens: routed.usage.prompt + answer.usage.prompt,
            completion_tokens: routed.usage.completion + answer.usage.completion,
            total_tokens: routed.usage.total + answer.usage.total,
            usd_estimate: null,
          },
        },
      },
    );
    await events.append({
      task_id: taskId,
      type: 'status',
      status: 'completed',
      data: { summary: code.description },
    });
  }

  const worker = new Worker<{ task_id: string }>(
    'agent_tasks',
    (job) => processTask(job.data.task_id, job.attemptsMade + 1),
    {
      connection: new Redis(env('REDIS_URL'), {
        connectionName: 'floor:worker',
        maxRetriesPerRequest: null,
      }),
      prefix: queueHashTag(prefix),
      concurrency: Number(env('WORKER_CONCURRENCY')),
    },
  );
  worker.on('error', (err) => console.error(`floor worker: ${err.message}`));
  let reported = false;
  worker.on('failed', (job, err) => {
    if (reported) return; // the benchmark counts failed tasks; one reason is enough here
    reported = true;
    console.error(`floor worker: job ${job?.id} failed: ${err.stack ?? err.message}`);
  });
  await worker.waitUntilReady();
  process.send?.({ type: 'ready' });
  process.on('disconnect', () => {
    void worker
      .close()
      .then(() => Promise.all([events.redis.quit(), client.close()]))
      .finally(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
