import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isBlockedAddress } from './private-address';

/**
 * Why a webhook URL may not be used, or undefined when it may: it must be http(s) and, unless
 * private targets are allowed, every address its host resolves to must be public.
 */
export async function webhookUrlProblem(
  raw: string,
  allowPrivate: boolean,
): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'webhook_url must be an absolute http(s) URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return 'webhook_url must use http or https';
  if (url.username || url.password) return 'webhook_url must not contain credentials';
  if (allowPrivate) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host)
      ? [host]
      : (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    return `webhook_url host ${host} does not resolve`;
  }
  if (addresses.length === 0 || addresses.some(isBlockedAddress)) {
    return 'webhook_url must not point at a loopback, private or link-local address';
  }
  return undefined;
}
