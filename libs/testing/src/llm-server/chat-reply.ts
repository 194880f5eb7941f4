import type { ChatUsage } from './chat-wire';
import type { Fault } from './fault';
import type { RecordedChatRequest } from './recorded-chat-request';

export interface ScriptedToolCall {
  name: string;
  /** An object is sent JSON-encoded; a string is sent as is (to script invalid arguments too). */
  arguments: Record<string, unknown> | string;
  /** Generated in OpenAI's `call_…` format when absent. */
  id?: string;
}

/** One scripted answer of the OpenAI test server. */
export interface ChatReply {
  content?: string | ((req: RecordedChatRequest) => string);
  /** Sent as `tool_calls`; the request must declare tools of these names. */
  toolCalls?: ScriptedToolCall[];
  /** Replaces the chars/4 estimate, field by field. */
  usage?: Partial<ChatUsage>;
  /** Added before the first byte, on top of the server's latency. */
  delayMs?: number;
  /** Pause between SSE events when streaming. */
  chunkDelayMs?: number;
  fault?: Fault;
  /**
   * Keeps the response pending until it resolves: before any byte when not streaming, after the
   * first chunks when streaming.
   */
  hold?: Promise<void>;
  /** When streaming, how many content chunks go out before a hold (this one or holdNext's); 1 by default. */
  holdAfterChunks?: number;
}

/** A reply decided per request, for scripts that answer differently by what was asked. */
export type ChatReplyFactory = (req: RecordedChatRequest) => ChatReply;

export type ChatReplyScript = ChatReply | ChatReplyFactory;
