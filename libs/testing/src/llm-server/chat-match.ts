import { messageText, type RecordedChatRequest } from './recorded-chat-request';

/** Every given field must hold; string tests are case-sensitive substring checks. */
export interface ChatMatchFields {
  model?: string;
  lastUserIncludes?: string;
  systemIncludes?: string;
  /** Any message of any role. */
  anyIncludes?: string;
}

export type ChatMatch = ((req: RecordedChatRequest) => boolean) | ChatMatchFields;

export function chatPredicate(match: ChatMatch = {}): (req: RecordedChatRequest) => boolean {
  if (typeof match === 'function') return match;
  const { model, lastUserIncludes, systemIncludes, anyIncludes } = match;
  return (req) =>
    (model === undefined || req.model === model) &&
    (lastUserIncludes === undefined || req.lastUserText.includes(lastUserIncludes)) &&
    (systemIncludes === undefined || req.systemText.includes(systemIncludes)) &&
    (anyIncludes === undefined || req.messages.some((m) => messageText(m).includes(anyIncludes)));
}
