import { EventSource } from 'eventsource';

export interface ReceivedEvent {
  type: string;
  id: string;
  data: Record<string, unknown>;
}

const NAMED = ['routing', 'agent_started', 'agent_finished', 'delta', 'usage'];

/**
 * A real EventSource client (the `eventsource` package) that records what it receives, in order:
 * unnamed messages through onmessage, named events through addEventListener.
 */
export function listen(url: string, options: { apiKey?: string; lastEventId?: string } = {}) {
  const events: ReceivedEvent[] = [];
  const source = new EventSource(url, {
    fetch: (input, init) =>
      fetch(input, {
        ...init,
        headers: {
          ...init.headers,
          ...(options.apiKey ? { 'X-API-Key': options.apiKey } : {}),
          ...(options.lastEventId ? { 'Last-Event-ID': options.lastEventId } : {}),
        },
      }),
  });
  const record = (type: string) => (e: MessageEvent<string>) =>
    events.push({ type, id: e.lastEventId, data: JSON.parse(e.data) as Record<string, unknown> });
  source.onmessage = record('message');
  for (const name of NAMED) source.addEventListener(name, record(name));
  const finished = new Promise<void>((resolve) => {
    source.onerror = () => {
      // The server closes the stream after the final status; stop the client's reconnect.
      source.close();
      resolve();
    };
  });
  return { source, events, finished };
}

export function statuses(events: ReceivedEvent[]): unknown[] {
  return events.filter((e) => e.type === 'message').map((e) => e.data.status);
}
