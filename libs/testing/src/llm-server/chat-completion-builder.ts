import type {
  ChatCompletion,
  ChatCompletionChunk,
  FinishReason,
  WireToolCall,
  WireUsage,
} from './chat-wire';

/** A scripted reply resolved against its request: everything the wire bodies are made of. */
export interface ResolvedCompletion {
  id: string;
  created: number;
  model: string;
  content: string | null;
  toolCalls: WireToolCall[];
  usage: WireUsage;
  includeUsage: boolean;
}

const SERVICE_TIER = 'default';
const FINGERPRINT = 'fp_aotest0001';

function finishReason(reply: ResolvedCompletion): FinishReason {
  return reply.toolCalls.length > 0 ? 'tool_calls' : 'stop';
}

export function buildCompletion(reply: ResolvedCompletion): ChatCompletion {
  return {
    id: reply.id,
    object: 'chat.completion',
    created: reply.created,
    model: reply.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: reply.content,
          refusal: null,
          annotations: [],
          ...(reply.toolCalls.length > 0 ? { tool_calls: reply.toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: finishReason(reply),
      },
    ],
    usage: reply.usage,
    service_tier: SERVICE_TIER,
    system_fingerprint: FINGERPRINT,
  };
}

/**
 * The SSE events of a streamed reply, in OpenAI's order: a role chunk, content pieces, tool
 * call pieces, a finish chunk and, when asked for, a usage chunk with no choices.
 */
export function buildChunks(reply: ResolvedCompletion): ChatCompletionChunk[] {
  const chunk = (
    delta: ChatCompletionChunk['choices'][number]['delta'],
    finish: FinishReason | null = null,
  ): ChatCompletionChunk => ({
    id: reply.id,
    object: 'chat.completion.chunk',
    created: reply.created,
    model: reply.model,
    service_tier: SERVICE_TIER,
    system_fingerprint: FINGERPRINT,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(reply.includeUsage ? { usage: null } : {}),
  });

  const chunks: ChatCompletionChunk[] = [
    chunk({ role: 'assistant', content: reply.toolCalls.length > 0 ? null : '', refusal: null }),
  ];
  for (const piece of splitIntoChunks(reply.content ?? '')) chunks.push(chunk({ content: piece }));
  reply.toolCalls.forEach((call, index) => {
    chunks.push(
      chunk({
        tool_calls: [
          {
            index,
            id: call.id,
            type: 'function',
            function: { name: call.function.name, arguments: '' },
          },
        ],
      }),
    );
    for (const piece of splitIntoChunks(call.function.arguments)) {
      chunks.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  chunks.push(chunk({}, finishReason(reply)));
  if (reply.includeUsage) {
    chunks.push({ ...chunk({}), choices: [], usage: reply.usage });
  }
  return chunks;
}

/**
 * Cuts text the way a model streams it: word by word (whitespace kept with the word that
 * follows), long words in slices, so even JSON without spaces arrives in several pieces.
 */
export function splitIntoChunks(text: string, maxLength = 12): string[] {
  const pieces: string[] = [];
  for (const word of text.match(/\s*\S+|\s+/g) ?? []) {
    for (let start = 0; start < word.length; start += maxLength) {
      pieces.push(word.slice(start, start + maxLength));
    }
  }
  return pieces;
}
