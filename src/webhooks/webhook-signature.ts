import { createHmac } from 'node:crypto';

/**
 * Standard Webhooks signing (standardwebhooks.com): HMAC-SHA256 over `${id}.${timestamp}.${body}`,
 * base64, sent as `webhook-signature: v1,<signature>`. A `whsec_`-prefixed secret is base64 after
 * the prefix, as the Standard Webhooks libraries expect; any other secret is used as UTF-8 bytes.
 */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = secret.startsWith('whsec_')
    ? Buffer.from(secret.slice('whsec_'.length), 'base64')
    : Buffer.from(secret, 'utf8');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${signature}`;
}

export function webhookHeaders(
  secret: string,
  id: string,
  timestamp: number,
  body: string,
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'agent-orchestrator-webhooks/1',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(secret, id, timestamp, body),
  };
}
