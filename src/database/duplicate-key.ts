/** MongoDB's (and FerretDB's) error code for a write refused by a unique index, `_id` included. */
const DUPLICATE_KEY = 11000;

/** True when a write failed only because a document with the same unique key exists. */
export function isDuplicateKey(err: unknown): boolean {
  return (
    typeof err === 'object' && err !== null && (err as { code?: unknown }).code === DUPLICATE_KEY
  );
}
