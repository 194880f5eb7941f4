/**
 * The parts of OpenAI's Chat Completions wire format the test server reads and writes
 * (https://platform.openai.com/docs/api-reference/chat). Unknown request fields are kept.
 */

export interface ChatContentPart {
  type: string;
  text?: string;
  [key: string]: unknown;
}

export interface WireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: string;
  content?: string | ChatContentPart[] | null;
  name?: string;
  tool_calls?: WireToolCall[];
  tool_call_id?: string;
  [key: string]: unknown;
}

export interface ChatToolDefinition {
  type: string;
  function?: { name: string; description?: string; parameters?: unknown; strict?: boolean };
  [key: string]: unknown;
}

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; json_schema: { name: string; schema?: unknown; strict?: boolean } };

export interface ChatCompletionRequestBody {
  model: string;
  messages: ChatMessage[];
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean } | null;
  tools?: ChatToolDefinition[];
  tool_choice?: unknown;
  response_format?: ResponseFormat;
  [key: string]: unknown;
}

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface WireUsage extends ChatUsage {
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: {
    reasoning_tokens: number;
    audio_tokens: number;
    accepted_prediction_tokens: number;
    rejected_prediction_tokens: number;
  };
}

export type FinishReason = 'stop' | 'tool_calls' | 'length';

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: {
    index: number;
    message: {
      role: 'assistant';
      content: string | null;
      refusal: null;
      annotations: unknown[];
      tool_calls?: WireToolCall[];
    };
    logprobs: null;
    finish_reason: FinishReason;
  }[];
  usage: WireUsage;
  service_tier: string;
  system_fingerprint: string;
}

export interface ChunkToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function: { name?: string; arguments: string };
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  service_tier: string;
  system_fingerprint: string;
  choices: {
    index: number;
    delta: {
      role?: 'assistant';
      content?: string | null;
      refusal?: null;
      tool_calls?: ChunkToolCallDelta[];
    };
    logprobs: null;
    finish_reason: FinishReason | null;
  }[];
  /** Present (null until the last chunk) only when the request asked for `include_usage`. */
  usage?: WireUsage | null;
}
