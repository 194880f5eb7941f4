import type { AgentMeta } from '../../libs/agent-kit/src';
import { NO_AGENT } from './agent-registry';

/**
 * The router's system prompt: the agents from the registry, the rules, the session so far, and
 * the exact JSON to answer with. The task itself goes alone in the user message, so nothing in
 * it can pass for an instruction of ours.
 */
export function routingSystemPrompt(agents: readonly AgentMeta[], history: string): string {
  const listed = agents
    .map((a) => `- agent_name: "${a.name}", agent_type: "${a.type}": ${oneLine(a.description)}`)
    .join('\n');
  const names = [...agents.map((a) => `"${a.name}"`), `"${NO_AGENT}"`].join(', ');
  return [
    'You are the Peer Agent, the router of a service where specialised agents carry out users’ tasks.',
    'Read the task in the user message and choose the one agent that should carry it out.',
    '',
    'Agents:',
    listed,
    '',
    'Rules:',
    '- Decide by what the user wants delivered, in whatever language the task is written; do not go by single words.',
    `- If no agent can do the task (live weather, bookings, chit-chat, anything outside the descriptions above), answer agent_name "${NO_AGENT}" and agent_type "unknown".`,
    '- confidence is your probability, from 0.0 to 1.0, that the chosen agent is right; keep it low when the task is ambiguous.',
    '- reasoning is one or two short sentences, in English, saying why.',
    ...(history
      ? ['', 'Earlier messages of this conversation (context only; route the new task):', history]
      : []),
    '',
    'Answer with only this JSON object and nothing else:',
    `{"agent_name": one of ${names}, "agent_type": "<that agent's type>", "confidence": <number 0.0-1.0>, "reasoning": "<short explanation>"}`,
  ].join('\n');
}

/** Sent with the invalid reply, once, to get the decision in the right shape. */
export function routingRepairPrompt(problem: string): string {
  return (
    `That reply is not a valid routing decision (${problem}). Answer again with only the JSON ` +
    'object {"agent_name", "agent_type", "confidence", "reasoning"}, nothing before or after it.'
  );
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
