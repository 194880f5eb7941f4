import { mongo } from 'mongoose';
import { AppError } from './app-error';
import { isMongoUnavailable, isRetryable } from './retryable';

const transient = new AppError('LLM_TIMEOUT', 'slow', { retryable: true });
const permanent = new AppError('UNKNOWN_TASK_TYPE', 'no agent');

describe('isRetryable', () => {
  it('takes our own errors at their word', () => {
    expect(isRetryable(transient)).toBe(true);
    expect(isRetryable(permanent)).toBe(false);
  });

  it('follows the cause chain to the first error that knows', () => {
    expect(isRetryable(new Error('agent wrapper', { cause: transient }))).toBe(true);
    expect(isRetryable(new Error('agent wrapper', { cause: permanent }))).toBe(false);
    expect(isRetryable(new Error('a', { cause: new Error('b', { cause: transient }) }))).toBe(true);
  });

  it('treats an unreachable MongoDB as transient, by the driver error class', () => {
    expect(isRetryable(new mongo.MongoNetworkError('connection reset'))).toBe(true);
    expect(isRetryable(new mongo.MongoNetworkTimeoutError('timed out'))).toBe(true);
    expect(isRetryable(new mongo.MongoNotConnectedError('not connected'))).toBe(true);
    expect(isRetryable(new Error('save failed', { cause: new mongo.MongoNetworkError('x') }))).toBe(
      true,
    );
  });

  it('does not go by names or messages: an Error merely named like a driver error is permanent', () => {
    const impostor = new Error('MongoNetworkError');
    impostor.name = 'MongoNetworkError';
    expect(isMongoUnavailable(impostor)).toBe(false);
    expect(isRetryable(impostor)).toBe(false);
  });

  it('counts anything else, a bug in our own code say, as permanent', () => {
    expect(isRetryable(new TypeError('undefined is not a function'))).toBe(false);
    expect(isRetryable('a string')).toBe(false);
    expect(isRetryable(undefined)).toBe(false);
  });

  it('stops at a cause chain that loops', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(isRetryable(a)).toBe(false);
  });
});
