import type { ChatUsage, WireToolCall, WireUsage } from './chat-wire';
import { messageText, type RecordedChatRequest } from './recorded-chat-request';

/** Roughly one token per four characters, never zero for non-empty text; deterministic by design. */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

/**
 * The usage block of a reply: the chars/4 estimate of the messages (tool definitions included,
 * as OpenAI bills them) and of the reply, with any field the script gives taking precedence.
 */
export function estimateUsage(
  req: RecordedChatRequest,
  content: string | null,
  toolCalls: WireToolCall[],
  scripted: Partial<ChatUsage> = {},
): WireUsage {
  const promptText =
    req.messages.map((m) => messageText(m)).join('\n') +
    (req.tools.length > 0 ? JSON.stringify(req.tools) : '');
  const replyText =
    (content ?? '') + toolCalls.map((c) => c.function.name + c.function.arguments).join('');
  const prompt = scripted.prompt_tokens ?? Math.max(1, estimateTokens(promptText));
  const completion = scripted.completion_tokens ?? Math.max(1, estimateTokens(replyText));
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: scripted.total_tokens ?? prompt + completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}
