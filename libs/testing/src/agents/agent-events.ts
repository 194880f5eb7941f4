import type { PeerAgentEvent, PeerAgentInput } from '../../../../src/agents/peer-agent.types';

/** A PeerAgentInput for tests, collecting the events the Peer Agent emits. */
export function peerAgentInput(
  task: string,
  overrides: Partial<PeerAgentInput> = {},
): PeerAgentInput & { events: PeerAgentEvent[] } {
  const events: PeerAgentEvent[] = [];
  return {
    taskId: overrides.taskId ?? `task-${Math.random().toString(36).slice(2, 10)}`,
    sessionId: null,
    task,
    history: [],
    signal: new AbortController().signal,
    emit: (event) => events.push(event),
    ...overrides,
    events,
  };
}

/** The text of every delta event, joined. */
export function streamedText(events: readonly PeerAgentEvent[]): string {
  return events.map((e) => (e.type === 'delta' ? e.text : '')).join('');
}
