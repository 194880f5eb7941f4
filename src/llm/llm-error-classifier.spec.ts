import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { classifyLlmError, retryAfterMs, retryForbidden } from './llm-error-classifier';
import { LlmNotConfiguredError } from './llm.errors';

const apiError = (
  status: number,
  body: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) =>
  APIError.generate(
    status,
    { error: { message: `status ${status}`, ...body } },
    undefined,
    new Headers(headers),
  );

describe('classifyLlmError', () => {
  const classify = (err: unknown) => classifyLlmError(err, 'gpt-4.1', 1000);

  it.each([
    [429, 'LLM_RATE_LIMITED', true],
    [500, 'LLM_UNAVAILABLE', true],
    [502, 'LLM_UNAVAILABLE', true],
    [503, 'LLM_UNAVAILABLE', true],
    [409, 'LLM_UNAVAILABLE', true],
    [400, 'LLM_REQUEST_REJECTED', false],
    [401, 'LLM_REQUEST_REJECTED', false],
    [403, 'LLM_REQUEST_REJECTED', false],
    [404, 'LLM_REQUEST_REJECTED', false],
    [422, 'LLM_REQUEST_REJECTED', false],
  ])('maps the openai client’s %i error to %s (retryable: %s)', (status, code, retryable) => {
    const err = apiError(status);

    expect(classify(err)).toMatchObject({ code, retryable, cause: err });
  });

  it('names the model and the settings to check for an unknown model (404)', () => {
    expect(classify(apiError(404, { code: 'model_not_found' })).message).toMatch(
      /"gpt-4\.1" does not exist there, or OPENAI_BASE_URL is wrong/,
    );
  });

  it('treats an exhausted quota (a 429 that waiting cannot fix) as permanent', () => {
    expect(classify(apiError(429, { code: 'insufficient_quota' }))).toMatchObject({
      code: 'LLM_REQUEST_REJECTED',
      retryable: false,
    });
  });

  it('treats connection errors as transient and client timeouts as LLM_TIMEOUT', () => {
    expect(classify(new APIConnectionError({ message: 'Connection error.' }))).toMatchObject({
      code: 'LLM_UNAVAILABLE',
      retryable: true,
    });
    expect(classify(new APIConnectionTimeoutError())).toMatchObject({
      code: 'LLM_TIMEOUT',
      retryable: true,
    });
  });

  it('falls back to the status when the error class was lost on the way (another realm, a wrapper)', () => {
    const foreign = Object.assign(new Error('Too many'), { status: 429 });
    const rejected = Object.assign(new Error('nope'), { status: 403 });

    expect(classify(foreign)).toMatchObject({ code: 'LLM_RATE_LIMITED', retryable: true });
    expect(classify(rejected)).toMatchObject({ code: 'LLM_REQUEST_REJECTED', retryable: false });
  });

  it('treats a response that never arrived whole (no status) as transient', () => {
    expect(classify(new SyntaxError('Unexpected end of JSON input'))).toMatchObject({
      code: 'LLM_UNAVAILABLE',
      retryable: true,
    });
  });

  it('passes our own errors through unchanged', () => {
    const err = new LlmNotConfiguredError();

    expect(classify(err)).toBe(err);
  });
});

describe('retry headers', () => {
  it('reads Retry-After in seconds, as a date, and retry-after-ms first', () => {
    expect(retryAfterMs(apiError(429, {}, { 'retry-after': '2' }))).toBe(2000);
    expect(retryAfterMs(apiError(429, {}, { 'retry-after': '0.25' }))).toBe(250);
    expect(retryAfterMs(apiError(429, {}, { 'retry-after-ms': '120', 'retry-after': '9' }))).toBe(
      120,
    );
    const inFiveSeconds = new Date(Date.now() + 5_000).toUTCString();
    expect(retryAfterMs(apiError(429, {}, { 'retry-after': inFiveSeconds }))).toBeGreaterThan(
      3_000,
    );
    expect(retryAfterMs(apiError(429))).toBeUndefined();
    expect(retryAfterMs(new Error('no headers'))).toBeUndefined();
  });

  it('sees x-should-retry: false', () => {
    expect(retryForbidden(apiError(500, {}, { 'x-should-retry': 'false' }))).toBe(true);
    expect(retryForbidden(apiError(500))).toBe(false);
  });
});
