import { type ClientRequest, request } from 'node:http';

export interface ReceivedEvent {
  /** Date.now() when the chunk carrying it arrived. */
  receivedAt: number;
  /** The SSE id: the Redis stream entry id, `<ms>-<n>`, whose ms is Redis's clock at XADD. */
  id: string;
  name: string;
  data: { seq?: number; at?: string; status?: string; [key: string]: unknown };
}

/**
 * A raw Server-Sent Events subscriber on its own socket (agent: false), as a browser tab would
 * have. It records when each event arrives, before parsing anything else.
 */
export class SseSubscriber {
  readonly events: ReceivedEvent[] = [];
  ended = false;
  error?: string;
  private req?: ClientRequest;

  constructor(
    private readonly origin: string,
    private readonly taskId: string,
    private readonly apiKey: string,
  ) {}

  /** Resolves once the response headers are in (the subscription is open). */
  open(): Promise<void> {
    const url = new URL(`/v1/tasks/${this.taskId}/events`, this.origin);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        { agent: false, headers: { 'x-api-key': this.apiKey, accept: 'text/event-stream' } },
        (res) => {
          if (res.statusCode !== 200) {
            reject(new Error(`GET ${url.pathname} answered ${res.statusCode}`));
            res.resume();
            return;
          }
          res.setEncoding('utf8');
          let buffer = '';
          res.on('data', (chunk: string) => {
            const now = Date.now();
            buffer += chunk;
            let cut: number;
            while ((cut = buffer.indexOf('\n\n')) >= 0) {
              this.parse(buffer.slice(0, cut), now);
              buffer = buffer.slice(cut + 2);
            }
          });
          res.on('end', () => (this.ended = true));
          res.on('error', (err) => (this.error = err.message));
          resolve();
        },
      );
      req.on('error', (err) => {
        this.error = err.message;
        reject(err);
      });
      req.end();
      this.req = req;
    });
  }

  private parse(block: string, receivedAt: number): void {
    let name = 'message';
    let data = '';
    let id = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('id: ')) id = line.slice(4);
      else if (line.startsWith('event: ')) name = line.slice(7);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    if (!data) return; // retry:, comments (heartbeats)
    try {
      this.events.push({ receivedAt, id, name, data: JSON.parse(data) as ReceivedEvent['data'] });
    } catch {
      this.error = `unparseable event: ${data.slice(0, 80)}`;
    }
  }

  close(): void {
    this.req?.destroy();
  }
}
