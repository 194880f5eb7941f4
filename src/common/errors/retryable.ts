import { mongo } from 'mongoose';
import { AppError } from './app-error';

/*
 * The one retry decision. The runner (retry the attempt?), the Peer Agent graph (is an agent's
 * failure transient?) and the processor (leave a job's task for the reconciler?) all ask here.
 * An error is transient or permanent by its class, never by its message or name.
 */

/** How deep a chain of causes is followed; a longer one is cut, not walked forever. */
const MAX_CAUSE_DEPTH = 10;

/**
 * Whether doing the same thing again later may succeed. Our own errors say so themselves
 * (`AppError.retryable`); a MongoDB that cannot be reached is transient; anything else is decided
 * by what caused it, and is permanent when nothing in its chain is transient.
 */
export function isRetryable(err: unknown): boolean {
  let cause = err;
  for (let depth = 0; cause instanceof Error && depth < MAX_CAUSE_DEPTH; depth++) {
    if (cause instanceof AppError) return cause.retryable;
    if (isMongoUnavailable(cause)) return true;
    cause = cause.cause;
  }
  return false;
}

/** The driver's errors for "no server reachable": the database is away, no input is at fault. */
const UNREACHABLE = [
  mongo.MongoServerSelectionError,
  mongo.MongoNetworkError, // MongoNetworkTimeoutError too
  mongo.MongoNotConnectedError,
  mongo.MongoTopologyClosedError,
];

export function isMongoUnavailable(err: unknown): boolean {
  return (
    UNREACHABLE.some((type) => err instanceof type) ||
    // The driver's own mark for a write that may be sent again (a primary stepping down, say).
    (err instanceof mongo.MongoError && err.hasErrorLabel('RetryableWriteError')) ||
    isUnsentBulkWrite(err)
  );
}

/**
 * A bulk write that never reached a server: the driver wraps the network or server-selection
 * error in a MongoBulkWriteError with its message, no code and no write errors (a write concern
 * failure has a code; a refused write, write errors).
 */
function isUnsentBulkWrite(err: unknown): boolean {
  if (!(err instanceof mongo.MongoBulkWriteError)) return false;
  const { code, writeErrors } = err as { code?: unknown; writeErrors?: unknown };
  return code === undefined && (!Array.isArray(writeErrors) || writeErrors.length === 0);
}
