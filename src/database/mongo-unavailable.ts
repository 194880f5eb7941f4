/** The MongoDB driver's errors for "no server reachable": the database is away, nobody's input is at fault. */
const MONGO_UNAVAILABLE = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
]);

export function isMongoUnavailable(err: unknown): boolean {
  return err instanceof Error && MONGO_UNAVAILABLE.has(err.name);
}
