/** Query parameters that may carry a credential (EventSource cannot send headers). */
const SECRET_QUERY_PARAMS = /^(x-api-key|api_key|apikey|api-key|token|access_token)$/i;

/**
 * The same names as exact strings, in the spellings clients use, for redactors that match
 * exactly (OpenTelemetry's HTTP instrumentation). The API accepts `api_key`, `X-API-Key` and
 * `x-api-key`.
 */
export const SECRET_QUERY_PARAM_NAMES = [
  'api_key',
  'X-API-Key',
  'x-api-key',
  'X-Api-Key',
  'apikey',
  'api-key',
  'token',
  'access_token',
];

export const REDACTED = '[redacted]';

/** Paths pino blanks out in every log line. */
export const REDACT_PATHS = [
  'req.headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
];

/** Replaces the values of credential-bearing query parameters in a request URL. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = safeDecode(eq < 0 ? pair : pair.slice(0, eq));
      return SECRET_QUERY_PARAMS.test(name)
        ? `${pair.slice(0, eq < 0 ? pair.length : eq)}=${REDACTED}`
        : pair;
    });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
