import type { ChatCompletionRequestBody, ChatMessage } from './chat-wire';
import { messageText, type RecordedChatRequest } from './recorded-chat-request';
import type { RecordedRequest } from './recorded-request';

export type ParsedChatRequest =
  { request: RecordedChatRequest } | { error: string; param?: string };

/**
 * Checks the body as strictly as OpenAI does for the fields the server relies on, then turns
 * the record (in place, so the request log keeps one object per request) into a chat record.
 */
export function parseChatRequest(record: RecordedRequest): ParsedChatRequest {
  const body = record.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return {
      error:
        'We could not parse the JSON body of your request. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.',
    };
  }
  const candidate = body as Partial<ChatCompletionRequestBody>;
  if (typeof candidate.model !== 'string' || candidate.model.length === 0) {
    return { error: 'you must provide a model parameter', param: 'model' };
  }
  if (!Array.isArray(candidate.messages)) {
    return { error: "Missing required parameter: 'messages'.", param: 'messages' };
  }
  if (candidate.messages.length === 0) {
    return { error: "[] is too short - 'messages'", param: 'messages' };
  }
  const badIndex = candidate.messages.findIndex(
    (m: unknown) =>
      typeof m !== 'object' || m === null || typeof (m as Partial<ChatMessage>).role !== 'string',
  );
  if (badIndex >= 0) {
    return {
      error: `Missing required parameter: 'messages[${badIndex}].role'.`,
      param: `messages[${badIndex}].role`,
    };
  }

  const chatBody = candidate as ChatCompletionRequestBody;
  const messages = chatBody.messages;
  const stream = chatBody.stream === true;
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const authorization = record.headers.authorization;
  const fields: Omit<RecordedChatRequest, keyof Omit<RecordedRequest, 'kind' | 'body'>> = {
    kind: 'chat',
    body: chatBody,
    model: chatBody.model,
    messages,
    stream,
    includeUsage: stream && chatBody.stream_options?.include_usage === true,
    tools: Array.isArray(chatBody.tools) ? chatBody.tools : [],
    toolChoice: chatBody.tool_choice,
    responseFormat: chatBody.response_format,
    systemText: messages
      .filter((m) => m.role === 'system' || m.role === 'developer')
      .map((m) => messageText(m))
      .join('\n\n'),
    lastUserText: lastUser ? messageText(lastUser) : '',
    authorization,
  };
  return { request: Object.assign(record, fields) };
}
