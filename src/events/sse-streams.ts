import { Injectable } from '@nestjs/common';

/** One open event stream, as the registry sees it. */
export interface OpenStream {
  /** Whose stream it is: the caller's key id, or `anonymous` with auth off. */
  owner: string;
  /** Sends a last comment and ends the response. */
  end(comment?: string): void;
}

/**
 * The event streams this process has open: how many (the `sse_connections` gauge) and whose,
 * so streams per key can be capped and shutdown can end them all.
 */
@Injectable()
export class SseStreams {
  private readonly streams = new Set<OpenStream>();
  private readonly perOwner = new Map<string, number>();
  private readonly watchers = new Set<(open: number) => void>();

  /** Calls `watcher` with the number of open streams whenever it changes. */
  watch(watcher: (open: number) => void): () => void {
    this.watchers.add(watcher);
    watcher(this.size);
    return () => this.watchers.delete(watcher);
  }

  get size(): number {
    return this.streams.size;
  }

  countOf(owner: string): number {
    return this.perOwner.get(owner) ?? 0;
  }

  /** Registers an open stream; the returned function unregisters it (once). */
  add(stream: OpenStream): () => void {
    this.streams.add(stream);
    this.perOwner.set(stream.owner, this.countOf(stream.owner) + 1);
    this.changed();
    return () => {
      if (!this.streams.delete(stream)) return;
      const left = this.countOf(stream.owner) - 1;
      if (left > 0) this.perOwner.set(stream.owner, left);
      else this.perOwner.delete(stream.owner);
      this.changed();
    };
  }

  private changed(): void {
    for (const watcher of this.watchers) watcher(this.size);
  }

  /** Ends every open stream with `comment` as its last line. */
  endAll(comment: string): void {
    for (const stream of [...this.streams]) stream.end(comment);
  }
}
