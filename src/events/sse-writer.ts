import type { Response } from 'express';
import type { TaskEvent } from './task-event';
import { closingId, isFinal } from './task-event-stream';

/**
 * Writes one Server-Sent Events response. Status events are unnamed messages (so
 * `EventSource.onmessage` sees them, as the spec's example expects); every other type is a named
 * event. Every event carries its stream entry id for `Last-Event-ID`; the final status event
 * carries its closingId.
 */
export class SseWriter {
  constructor(private readonly res: Response) {}

  open(retryMs: number): void {
    this.res.status(200);
    this.res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    this.res.setHeader('Cache-Control', 'no-cache, no-transform');
    this.res.setHeader('Connection', 'keep-alive');
    this.res.setHeader('X-Accel-Buffering', 'no');
    this.res.flushHeaders();
    this.res.write(`retry: ${retryMs}\n\n`);
  }

  event(id: string, event: TaskEvent): void {
    const { task_id, type, status, data, seq, at } = event;
    const payload =
      type === 'status' ? { task_id, status, ...data, seq, at } : { task_id, ...data, seq, at };
    const name = type === 'status' ? '' : `event: ${type}\n`;
    const sentId = isFinal(event) ? closingId(id) : id;
    this.res.write(`id: ${sentId}\n${name}data: ${JSON.stringify(payload)}\n\n`);
  }

  /** An SSE comment line: clients ignore it, proxies see traffic. */
  comment(text: string): void {
    if (!this.res.writableEnded) this.res.write(`: ${text}\n\n`);
  }

  heartbeat(): void {
    this.res.write(`: keep-alive ${new Date().toISOString()}\n\n`);
  }

  end(): void {
    if (!this.res.writableEnded) this.res.end();
  }
}
