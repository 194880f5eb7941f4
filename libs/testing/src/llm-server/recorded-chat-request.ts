import type {
  ChatCompletionRequestBody,
  ChatMessage,
  ChatToolDefinition,
  ResponseFormat,
} from './chat-wire';
import type { RecordedRequest } from './recorded-request';

/** A recorded `POST /v1/chat/completions`, with the fields scripts match on already pulled out. */
export interface RecordedChatRequest extends RecordedRequest {
  kind: 'chat';
  body: ChatCompletionRequestBody;
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  includeUsage: boolean;
  tools: ChatToolDefinition[];
  toolChoice?: unknown;
  responseFormat?: ResponseFormat;
  /** Every system (and developer) message, joined with blank lines. */
  systemText: string;
  /** The text of the last user message, '' when there is none. */
  lastUserText: string;
  /** The raw `authorization` header. */
  authorization?: string;
}

/** The text of a message whether its content is a string or a list of parts. */
export function messageText(message: ChatMessage): string {
  const { content } = message;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (typeof part.text === 'string' ? part.text : ''))
    .filter((text) => text.length > 0)
    .join('\n');
}
