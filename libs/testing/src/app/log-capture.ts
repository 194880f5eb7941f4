import { Writable } from 'node:stream';
import { duplicateKeys } from './duplicate-keys';

export type LogLine = Record<string, unknown>;

/**
 * A pino destination that keeps every JSON log line, so tests can assert on what was logged.
 * Each line is also scanned strictly: a key that appears twice in one object (which
 * JSON.parse would hide) is kept in `duplicates`, with the line.
 */
export class LogCapture extends Writable {
  readonly lines: LogLine[] = [];
  readonly duplicates: { keys: string[]; line: string }[] = [];
  private raw = '';

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    this.raw += chunk.toString();
    let newline = this.raw.indexOf('\n');
    while (newline >= 0) {
      const line = this.raw.slice(0, newline);
      this.raw = this.raw.slice(newline + 1);
      if (line.trim()) {
        this.lines.push(JSON.parse(line) as LogLine);
        const keys = duplicateKeys(line);
        if (keys.length > 0) this.duplicates.push({ keys, line });
      }
      newline = this.raw.indexOf('\n');
    }
    callback();
  }

  /** The whole captured text, for "this secret appears nowhere" assertions. */
  text(): string {
    return this.lines.map((l) => JSON.stringify(l)).join('\n') + this.raw;
  }

  withRequestId(id: string): LogLine[] {
    return this.lines.filter((l) => l.request_id === id);
  }
}
