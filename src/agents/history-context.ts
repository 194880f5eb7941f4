import type { HistoryMessage } from '../../libs/agent-kit/src';
import type { ChatMessage } from '../llm/llm-client';

const SUMMARY_CHARS_PER_MESSAGE = 300;
const TURN_CHARS_PER_MESSAGE = 6_000;

/**
 * The session's earlier messages as a few short lines for the router: enough to route a
 * follow-up ("now in TypeScript"), short enough not to crowd out the task. '' when none.
 */
export function historyContext(history: readonly HistoryMessage[], maxMessages = 6): string {
  return history
    .slice(-maxMessages)
    .map((m) => {
      const who = m.agent_name ? `${m.role} (${m.agent_name})` : m.role;
      return `- ${who}: ${clip(m.content.replace(/\s+/g, ' ').trim(), SUMMARY_CHARS_PER_MESSAGE)}`;
    })
    .join('\n');
}

/**
 * The session's earlier user and assistant messages as chat turns for an agent, so a follow-up
 * ("make it shorter") works on the previous answer itself. Each is capped to bound the prompt.
 */
export function historyTurns(history: readonly HistoryMessage[]): ChatMessage[] {
  return history
    .filter((m) => (m.role === 'user' || m.role === 'assistant') && m.content.trim() !== '')
    .map((m) => ({
      role: m.role as 'user' | 'assistant',
      content: clip(m.content, TURN_CHARS_PER_MESSAGE),
    }));
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
