import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random ids in the providers' formats, so clients that log or match on them see the real shape. */
export function alphanumericId(prefix: string, length: number): string {
  const bytes = randomBytes(length);
  let id = prefix;
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
  return id;
}

export const chatCompletionId = (): string => alphanumericId('chatcmpl-', 29);
export const toolCallId = (): string => alphanumericId('call_', 24);
export const openAiRequestId = (): string => alphanumericId('req_', 32);
