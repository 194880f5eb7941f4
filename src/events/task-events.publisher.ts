import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { eventsConfig } from '../config';
import { RedisConnections } from '../redis/redis-connections';
import { RedisScript } from '../redis/redis-script';
import type { TaskEvent, TaskEventInput } from './task-event';
import { isFinal, taskFinalKey, taskSeqKey, taskStreamKey } from './task-event-stream';

/** At most one delta event per task per this many ms; text arriving meanwhile is joined. */
export const DELTA_WINDOW_MS = 50;

/**
 * Numbers the event (per task), appends it to the task's stream (approximately capped) and
 * refreshes both keys' expiry, in one round trip. A task's stream therefore lives
 * TASK_EVENTS_TTL_S after its last event, its final one included. A final status event is
 * appended once per task (ARGV[4] = '1' marks one): publishing it again, as the re-run of a job
 * whose worker died after finishing its task does, appends nothing and returns false.
 */
const APPEND_SCRIPT = new RedisScript(
  `
if ARGV[4] == '1' and not redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[3]) then
  return false
end
local seq = redis.call('INCR', KEYS[2])
local event = (string.gsub(ARGV[2], '^{"seq":0', '{"seq":' .. seq, 1))
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'e', event)
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return {id, seq}
`,
  3,
);

interface PendingDelta {
  text: string;
  timer: NodeJS.Timeout;
  flushed: Promise<void>;
  resolve: () => void;
}

/**
 * Where a task's progress goes: a Redis Stream per task (`task_events:{g<k>}:<task_id>`, see redis-keys.ts), so any API
 * replica can replay and follow any task, and a client that reconnects resumes from its last
 * event id. Streamed text is coalesced to at most one delta event per 50 ms. Publishing is best
 * effort: the task's state is in MongoDB, and a lost event never fails the task.
 *
 * Final status events (completed, failed, cancelled) come only from TaskLifecycle. They carry
 * `data.agent` (the selected agent, or null) and `data.duration_ms` (from acceptance to the final
 * state), and are stored once per task: publishing one again stores nothing.
 */
@Injectable()
export class TaskEventsPublisher implements OnModuleDestroy {
  private readonly logger = new Logger('TaskEvents');
  private readonly deltas = new Map<string, PendingDelta>();
  private chain = new Map<string, Promise<unknown>>();

  constructor(
    private readonly redis: RedisConnections,
    @Inject(eventsConfig.KEY) private readonly config: ConfigType<typeof eventsConfig>,
  ) {}

  publish(input: TaskEventInput): Promise<void> {
    if (input.type === 'delta') return this.bufferDelta(input);
    // Text still waiting goes out first, so the stream keeps the order things happened in.
    return this.flushDelta(input.task_id).then(() => this.append(input));
  }

  private bufferDelta(input: TaskEventInput): Promise<void> {
    const text = typeof input.data?.text === 'string' ? input.data.text : '';
    const pending = this.deltas.get(input.task_id);
    if (pending) {
      pending.text += text;
      return pending.flushed;
    }
    let resolve!: () => void;
    const flushed = new Promise<void>((r) => (resolve = r));
    const timer = setTimeout(() => void this.flushDelta(input.task_id), DELTA_WINDOW_MS);
    this.deltas.set(input.task_id, { text, timer, flushed, resolve });
    return flushed;
  }

  private async flushDelta(taskId: string): Promise<void> {
    const pending = this.deltas.get(taskId);
    if (!pending) return;
    this.deltas.delete(taskId);
    clearTimeout(pending.timer);
    await this.append({ task_id: taskId, type: 'delta', data: { text: pending.text } });
    pending.resolve();
  }

  /** Appends in publish order per task, even when callers do not await each other. */
  private append(input: TaskEventInput): Promise<void> {
    const previous = this.chain.get(input.task_id) ?? Promise.resolve();
    const next = previous.then(() => this.write(input));
    this.chain.set(input.task_id, next);
    void next.finally(() => {
      if (this.chain.get(input.task_id) === next) this.chain.delete(input.task_id);
    });
    return next;
  }

  private async write(input: TaskEventInput): Promise<void> {
    // seq first: the script fills it in, matching `{"seq":0` at the start of the JSON.
    const event: TaskEvent = { seq: 0, ...input, at: new Date().toISOString() };
    try {
      const appended = (await APPEND_SCRIPT.run(
        this.redis.commands,
        [taskStreamKey(input.task_id), taskSeqKey(input.task_id), taskFinalKey(input.task_id)],
        [
          String(this.config.maxLen),
          JSON.stringify(event),
          String(this.config.ttlS),
          isFinal(event) ? '1' : '0',
        ],
      )) as [string, number] | null;
      if (appended) event.seq = appended[1];
    } catch (err) {
      this.logger.warn({
        task_id: input.task_id,
        err,
        msg: `Could not store a ${input.type} event`,
      });
    }
  }

  /**
   * Whether the task's final status event is stored: TaskLifecycle publishes it last of a task
   * ending's side effects, so once it is there the ending was announced in full.
   */
  async finalPublished(taskId: string): Promise<boolean> {
    return (await this.redis.commands.exists(taskFinalKey(taskId))) === 1;
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.deltas.keys()].map((taskId) => this.flushDelta(taskId)));
    await Promise.all([...this.chain.values()]);
  }
}
