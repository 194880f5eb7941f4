/** The MongoDB driver's errors for "no server reachable": the database is away, nobody's input is at fault. */
const MONGO_UNAVAILABLE = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
]);

export function isMongoUnavailable(err: unknown): boolean {
  return err instanceof Error && (MONGO_UNAVAILABLE.has(err.name) || isUnsentBulkWrite(err));
}

/**
 * A bulk write that never reached a server: the driver wraps the network or server-selection
 * error in a MongoBulkWriteError with its message, no code and no write errors (a write concern
 * failure has a code; a refused write, write errors).
 */
function isUnsentBulkWrite(err: Error): boolean {
  if (err.name !== 'MongoBulkWriteError') return false;
  const { code, writeErrors } = err as Error & { code?: unknown; writeErrors?: unknown };
  return code === undefined && Array.isArray(writeErrors) && writeErrors.length === 0;
}
