import { closingId, decodeEntry } from '../../src/events/task-event-stream';
import type { ReceivedEvent } from '../realtime/sse-client';

/** POST /v1/agent/execute on one api process; the task id, or the error the api answered. */
export async function submitTask(base: string, task: string): Promise<string> {
  const res = await fetch(`${base}/v1/agent/execute`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ task }),
  });
  const body = (await res.json()) as { task_id?: string };
  if (res.status !== 200 || !body.task_id) {
    throw new Error(`${base} answered ${res.status}: ${JSON.stringify(body)}`);
  }
  return body.task_id;
}

/**
 * What is wrong with one subscriber's stream, compared with the task's stored stream: every
 * stored event received once and in order (same ids, the final one's closing id), seq 1, 2, 3 … with no gap, and the last
 * event the final status. Empty when the stream is complete.
 */
export function streamProblems(
  taskId: string,
  received: ReceivedEvent[],
  stored: [string, string[]][],
  finalStatus: string,
): string[] {
  const problems: string[] = [];
  // The final event goes out with its closing id (its entry's id + 1, so a reconnect gets 204).
  const storedIds = stored.map(([id], i) => (i === stored.length - 1 ? closingId(id) : id));
  const receivedIds = received.map((e) => e.id);
  if (receivedIds.join() !== storedIds.join()) {
    problems.push(
      `${taskId}: received ${receivedIds.length} events, ${storedIds.length} stored, or not in order`,
    );
  }
  const seqs = received.map((e) => e.data.seq);
  if (!seqs.every((seq, i) => seq === i + 1)) {
    problems.push(`${taskId}: seq ${JSON.stringify(seqs)} is not 1, 2, 3, …`);
  }
  const last = received[received.length - 1];
  if (last?.type !== 'message' || last.data.status !== finalStatus) {
    problems.push(`${taskId}: last event ${JSON.stringify(last?.data)}, expected ${finalStatus}`);
  }
  const storedFinal = stored.length ? decodeEntry(...stored[stored.length - 1]) : undefined;
  if (storedFinal?.event.status !== finalStatus) {
    problems.push(`${taskId}: the stored stream does not end with ${finalStatus}`);
  }
  return problems;
}
