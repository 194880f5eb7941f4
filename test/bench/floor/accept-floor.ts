/**
 * The floor of the accept benchmark: a bare node:http handler for POST /v1/agent/execute, run in
 * its own process, with the raw MongoDB driver (no mongoose) and BullMQ with the service's job
 * options over ioredis. No framework, no validation library, no middleware.
 *
 * FLOOR_MODE=minimal: the floor, one task insert (under `_id` = task_id, with the spec's
 *                     indexes) and one BullMQ add. The pipeline floor's tasks are accepted here.
 * FLOOR_MODE=full:    every write TasksService.accept made before its writes were group-committed,
 *                     one command each, in order: session upsert, task insert, user message
 *                     upsert, BullMQ add, "queued" event, business log insert.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { queueHashTag } from '../../../src/redis/redis-keys';
import { connectRaw, createSpecIndexes, env, eventsRedis } from './floor-store';

async function main(): Promise<void> {
  const full = process.env.FLOOR_MODE === 'full';
  const prefix = env('REDIS_GLOBAL_KEYPREFIX');
  const keyDigest = createHash('sha256').update(env('API_KEYS')).digest();

  const { client, db } = await connectRaw();
  await createSpecIndexes(db);
  const Tasks = db.collection<{ _id: string }>('tasks');
  const Sessions = db.collection('sessions');
  const Messages = db.collection('messages');
  const Logs = db.collection('logs');

  const events = eventsRedis('floor:commands');
  const queue = new Queue('agent_tasks', {
    connection: new Redis(env('REDIS_URL'), {
      connectionName: 'floor:queue',
      maxRetriesPerRequest: null,
      enableOfflineQueue: false,
    }),
    prefix: queueHashTag(prefix),
  });
  const jobOptions = {
    attempts: 4,
    backoff: { type: 'exponential', delay: 2000 },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 50_000 },
  };

  async function accept(body: { task?: unknown; session_id?: unknown }, req: IncomingMessage) {
    const now = new Date();
    const apiKeyId = createHash('sha256')
      .update(String(req.headers['x-api-key']))
      .digest('hex')
      .slice(0, 16);
    const ip = req.socket.remoteAddress ?? null;
    const sessionId = typeof body.session_id === 'string' ? body.session_id : randomUUID();
    if (full) {
      await Sessions.updateOne(
        { session_id: sessionId, api_key_id: apiKeyId },
        {
          $setOnInsert: {
            session_id: sessionId,
            api_key_id: apiKeyId,
            created_at: now,
            updated_at: now,
            metadata: { ip },
            last_task_id: null,
          },
        },
        { upsert: true },
      );
    }
    const taskId = randomUUID();
    const task = {
      _id: taskId,
      task_id: taskId,
      session_id: sessionId,
      input_text: String(body.task),
      status: 'queued' as const,
      requested_agent: null,
      selected_agent: null,
      agent_type: null,
      peer_routing_reason: null,
      routing_confidence: null,
      created_at: now,
      updated_at: now,
      queued_at: now,
      started_at: null,
      completed_at: null,
      cancel_requested_at: null,
      attempts: 0,
      requeues: 0,
      result: null,
      error: null,
      cost: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, usd_estimate: 0 },
      webhook_url: null,
      webhook_deliveries: [],
      metadata: {
        ip,
        user_agent: req.headers['user-agent'] ?? null,
        request_id: randomUUID(),
        api_key_id: apiKeyId,
      },
    };
    await Tasks.insertOne(task);
    if (full) {
      const message = {
        session_id: sessionId,
        api_key_id: apiKeyId,
        task_id: task.task_id,
        role: 'user' as const,
        agent_name: null,
        content: task.input_text,
        created_at: now,
      };
      await Messages.updateOne(
        { task_id: task.task_id, role: 'user' },
        { $setOnInsert: message },
        { upsert: true },
      );
    }
    await queue.add(
      'process_task',
      { task_id: task.task_id },
      { ...jobOptions, jobId: task.task_id },
    );
    if (full) {
      await events.append({ task_id: task.task_id, type: 'status', status: 'queued' });
      await Logs.insertOne({
        timestamp: new Date(),
        level: 'INFO',
        message: 'task created',
        context: {
          task_id: task.task_id,
          session_id: sessionId,
          request_id: null,
          agent_name: null,
        },
      });
    }
    return {
      task_id: task.task_id,
      session_id: sessionId,
      status: 'queued',
      queued_at: now.toISOString(),
      message: 'Task accepted and queued.',
      api_version: 'v1',
    };
  }

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  };

  const server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/agent/execute') return send(res, 404, {});
    const key = req.headers['x-api-key'];
    const presented = createHash('sha256')
      .update(typeof key === 'string' ? key : '')
      .digest();
    if (!timingSafeEqual(presented, keyDigest)) return send(res, 401, {});
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: { task?: unknown; session_id?: unknown };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString()) as typeof body;
      } catch {
        return send(res, 400, {});
      }
      if (typeof body.task !== 'string' || body.task.length === 0) return send(res, 400, {});
      accept(body, req).then(
        (out) => send(res, 200, out),
        (err: unknown) => send(res, 503, { error: String(err) }),
      );
    });
  });
  server.keepAliveTimeout = 5000;
  server.listen(Number(env('PORT')), '127.0.0.1', () => process.send?.({ type: 'ready' }));
  process.on('disconnect', () => {
    server.close();
    void Promise.all([queue.close(), events.redis.quit(), client.close()]).finally(() =>
      process.exit(0),
    );
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
