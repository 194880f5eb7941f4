import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Request, Response } from 'express';
import { ValidationError } from '../common/errors';
import { eventsConfig } from '../config';
import { RedisConnections } from '../redis/redis-connections';
import { SseStreams } from './sse-streams';
import { SseWriter } from './sse-writer';
import { type StreamedTask, StreamedTasks, type StreamedTaskStatus } from './streamed-tasks';
import { finalStatusEvent, isFinalStatus, type TaskEvent } from './task-event';
import { TooManyStreamsError } from './events.errors';
import {
  closingId,
  compareStreamIds,
  decodeEntry,
  isFinal,
  isValidStreamId,
  type StoredTaskEvent,
  taskStreamKey,
} from './task-event-stream';
import { TaskStreamFollower } from './task-stream-follower';

const REPLAY_BATCH = 500;
/** How many entries from a stream's end are searched for its final event (normally the last). */
const FINAL_SEARCH = 20;
/** Whose streams these are with auth off. */
const ANONYMOUS = 'anonymous';
const CLIENT_RETRY_MS = 2000;
/** How long after a task finished its stream may still be waiting for the final event. */
const FINAL_EVENT_GRACE_MS = 10_000;

/**
 * One SSE subscription: replays the task's stored events (all, or after Last-Event-ID), then
 * follows new ones with no gap and no duplicate, and closes after the final status. Every way in
 * ends: for a finished task whose stream has expired it sends one status event built from
 * MongoDB; an id at or past a finished task's final event gets that event again; the reconnect
 * after the final event answers 204, so EventSource stops. Everything that refuses a stream
 * (422 id, 404 task, 429 too many streams of the key) answers before any stream byte.
 */
@Injectable()
export class TaskEventStreamService {
  private readonly statusReads = new Map<string, Promise<StreamedTaskStatus | null>>();

  constructor(
    private readonly tasks: StreamedTasks,
    private readonly redis: RedisConnections,
    private readonly follower: TaskStreamFollower,
    private readonly streams: SseStreams,
    @Inject(eventsConfig.KEY) private readonly config: ConfigType<typeof eventsConfig>,
  ) {}

  async stream(
    req: Request,
    res: Response,
    taskId: string,
    owner: string | null,
    lastEventId?: string,
  ): Promise<void> {
    if (lastEventId !== undefined && !isValidStreamId(lastEventId)) {
      throw new ValidationError([
        {
          field: 'Last-Event-ID',
          message:
            'Last-Event-ID must be an event id such as 1712345678901-0 (each part at most 18446744073709551615)',
        },
      ]);
    }
    const task = await this.tasks.find(taskId, owner);
    const streamOwner = owner ?? ANONYMOUS;
    if (this.streams.countOf(streamOwner) >= this.config.maxStreamsPerKey) {
      throw new TooManyStreamsError(this.config.maxStreamsPerKey);
    }
    // A finished task and an id at or past its final event: the client has (or can only get)
    // the final event, so it gets it once more and the stream closes, or, if the final event is
    // what it reconnects after, 204 No Content, which makes EventSource stop reconnecting.
    let finalEntry: StoredTaskEvent | undefined;
    if (lastEventId !== undefined && isFinalStatus(task.status)) {
      finalEntry = await this.finalEntry(taskId);
      const closing = closingId(finalEntry?.id ?? '0-0');
      if (lastEventId === closing) {
        res.status(204).end();
        return;
      }
      if (!finalEntry || compareStreamIds(lastEventId, finalEntry.id) < 0) finalEntry = undefined;
    }

    const sse = new SseWriter(res);
    let closed = false;
    let unfollow: (() => void) | undefined;
    let heartbeat: NodeJS.Timeout | undefined;
    let unregister = (): void => undefined;
    const close = (comment?: string): void => {
      if (closed) return;
      closed = true;
      unfollow?.();
      clearInterval(heartbeat);
      unregister();
      if (comment) sse.comment(comment);
      sse.end();
    };
    req.on('close', () => close());
    unregister = this.streams.add({ owner: streamOwner, end: close });
    sse.open(CLIENT_RETRY_MS);

    if (finalEntry) {
      sse.event(finalEntry.id, finalEntry.event);
      return close();
    }
    try {
      const replay = await this.replay(taskId, lastEventId ?? '-', sse, () => closed);
      if (closed) return;
      if (replay.final) return close();
      if (replay.lastId === undefined && isFinalStatus(task.status)) {
        // The stream has expired: what is left of the task is in MongoDB.
        if (!(await this.streamExists(taskId))) return this.closeWithStoredStatus(sse, task, close);
      }
      const from = replay.lastId ?? (await this.followFrom(taskId, lastEventId));
      if (closed) return;
      unfollow = this.follower.follow(taskId, from, (events) => {
        for (const { id, event } of events) {
          if (closed) return;
          sse.event(id, event);
          if (isFinal(event)) return close();
        }
      });
      heartbeat = setInterval(() => {
        sse.heartbeat();
        void this.closeIfFinishedWithoutEvent(taskId, sse, close);
      }, this.config.heartbeatMs);
    } catch (err) {
      close();
      throw err;
    }
  }

  private async replay(
    taskId: string,
    after: string,
    sse: SseWriter,
    isClosed: () => boolean,
  ): Promise<{ lastId?: string; final: boolean }> {
    let start = after === '-' ? '-' : `(${after}`;
    let lastId: string | undefined;
    for (;;) {
      const entries = (await this.redis.commands.xrange(
        taskStreamKey(taskId),
        start,
        '+',
        'COUNT',
        REPLAY_BATCH,
      )) as [string, string[]][];
      for (const [id, fields] of entries) {
        const stored = decodeEntry(id, fields);
        lastId = id;
        if (!stored || isClosed()) continue;
        sse.event(id, stored.event);
        if (isFinal(stored.event)) return { lastId, final: true };
      }
      if (entries.length < REPLAY_BATCH || isClosed()) return { lastId, final: false };
      start = `(${lastId}`;
    }
  }

  /** The task's final status event, from the end of its stream (nothing follows it). */
  private async finalEntry(taskId: string): Promise<StoredTaskEvent | undefined> {
    const tail = (await this.redis.commands.xrevrange(
      taskStreamKey(taskId),
      '+',
      '-',
      'COUNT',
      FINAL_SEARCH,
    )) as [string, string[]][];
    return tail.map(([id, fields]) => decodeEntry(id, fields)).find((e) => e && isFinal(e.event));
  }

  /**
   * Where following starts when the replay found nothing after `lastEventId`: there, unless it
   * is past the stream's last entry (a client's id from elsewhere); then from that entry, so no
   * event appended from now on is skipped.
   */
  private async followFrom(taskId: string, lastEventId: string | undefined): Promise<string> {
    if (lastEventId === undefined) return '0-0';
    const lastId = (await this.lastEntry(taskId))?.id ?? '0-0';
    return compareStreamIds(lastEventId, lastId) > 0 ? lastId : lastEventId;
  }

  /** The newest event of the task's stream, if the stream exists. */
  private async lastEntry(taskId: string): Promise<StoredTaskEvent | undefined> {
    const tail = (await this.redis.commands.xrevrange(
      taskStreamKey(taskId),
      '+',
      '-',
      'COUNT',
      1,
    )) as [string, string[]][];
    return tail[0] ? decodeEntry(tail[0][0], tail[0][1]) : undefined;
  }

  private async streamExists(taskId: string): Promise<boolean> {
    return (await this.redis.commands.exists(taskStreamKey(taskId))) === 1;
  }

  private closeWithStoredStatus(sse: SseWriter, task: StreamedTask, close: () => void): void {
    const { status } = task;
    if (!isFinalStatus(status)) return;
    const input = finalStatusEvent(
      { ...task, status },
      task.error ? { error: { code: task.error.code, message: task.error.message } } : {},
    );
    const event: TaskEvent = {
      ...input,
      seq: 0,
      at: (task.completed_at ?? task.updated_at).toISOString(),
    };
    sse.event('0-0', event);
    close();
  }

  /**
   * A safety net for a stream that missed its final event (Redis was lost meanwhile): on each
   * heartbeat, a task MongoDB says is finished gets its status from there and the stream closes.
   */
  private async closeIfFinishedWithoutEvent(
    taskId: string,
    sse: SseWriter,
    close: () => void,
  ): Promise<void> {
    const status = await this.statusOf(taskId);
    if (!status || !isFinalStatus(status.status)) return;
    // The final event is appended just after MongoDB records the final state: give it time.
    const finishedAt = new Date(status.completed_at ?? status.updated_at).getTime();
    if (Date.now() - finishedAt < FINAL_EVENT_GRACE_MS) return;
    const last = await this.lastEntry(taskId).catch(() => undefined);
    if (last && isFinal(last.event)) return; // the follower is about to deliver it
    const task = await this.tasks.find(taskId, null).catch(() => null);
    if (task) this.closeWithStoredStatus(sse, task, close);
  }

  /**
   * The task's status, read at most twice per heartbeat interval however many of its streams
   * ask: with 1,000 subscribers each heartbeat round would otherwise be 1,000 reads of the task.
   * A result up to half a heartbeat old is fine for a safety net with a 10 s grace.
   */
  private statusOf(taskId: string): Promise<StreamedTaskStatus | null> {
    let read = this.statusReads.get(taskId);
    if (!read) {
      read = this.tasks.status(taskId).catch(() => null);
      this.statusReads.set(taskId, read);
      const shareMs = Math.max(1000, this.config.heartbeatMs / 2);
      setTimeout(() => this.statusReads.delete(taskId), shareMs).unref();
    }
    return read;
  }
}
