import type { Connection } from 'mongoose';

/** One operation that reached the MongoDB driver through mongoose. */
export interface RecordedOperation {
  collection: string;
  method: string;
  params: unknown[];
}

/** An operator found in a query filter, with where it sat. */
export interface FoundOperator {
  collection: string;
  method: string;
  path: string;
  operator: string;
  value: unknown;
}

/**
 * The query operators the product itself puts in filters, by field. Anything else in a filter
 * (a `$gt`, `$where`, `$regex`, a top-level `$or`, ...) can only have come from a request.
 */
export const PRODUCT_FILTER_OPERATORS: Record<string, readonly string[]> = {
  status: ['$in', '$nin'],
  updated_at: ['$lt'],
  created_at: ['$gte', '$lt'],
  task_id: ['$ne', '$in'],
  latency_ms: ['$ne'],
};

const FILTER_METHODS: Record<string, (params: unknown[]) => unknown[]> = {
  find: (p) => [p[0]],
  findOne: (p) => [p[0]],
  countDocuments: (p) => [p[0]],
  findOneAndUpdate: (p) => [p[0]],
  findOneAndDelete: (p) => [p[0]],
  findOneAndReplace: (p) => [p[0]],
  updateOne: (p) => [p[0]],
  updateMany: (p) => [p[0]],
  deleteOne: (p) => [p[0]],
  deleteMany: (p) => [p[0]],
  distinct: (p) => [p[1]],
  aggregate: (p) =>
    Array.isArray(p[0])
      ? (p[0] as Record<string, unknown>[]).filter((s) => s && '$match' in s).map((s) => s.$match)
      : [],
  bulkWrite: (p) =>
    Array.isArray(p[0])
      ? (p[0] as Record<string, { filter?: unknown }>[]).flatMap((op) =>
          Object.values(op).map((o) => o?.filter),
        )
      : [],
};

/**
 * Records every operation a mongoose connection sends to the driver (its 'operation-start'
 * events), so a test can prove what reached a query: which filters, with which operators.
 */
export class QueryRecorder {
  readonly operations: RecordedOperation[] = [];
  private readonly listener = (op: { collectionName: string; method: string; params: unknown[] }) =>
    void this.operations.push({
      collection: op.collectionName,
      method: op.method,
      params: op.params,
    });

  constructor(private readonly connection: Connection) {}

  start(): this {
    this.connection.on('operation-start', this.listener);
    return this;
  }

  stop(): void {
    this.connection.off('operation-start', this.listener);
  }

  /** Every `$` key in a filter of the recorded operations. */
  filterOperators(): FoundOperator[] {
    const found: FoundOperator[] = [];
    for (const op of this.operations) {
      const filters = FILTER_METHODS[op.method]?.(op.params) ?? [];
      for (const filter of filters)
        walk(filter, '', (path, operator, value) =>
          found.push({ collection: op.collection, method: op.method, path, operator, value }),
        );
    }
    return found;
  }

  /** Filter operators the product does not use itself: each one is a request's operator reaching a query. */
  foreignOperators(): FoundOperator[] {
    return this.filterOperators().filter(
      (f) => !(PRODUCT_FILTER_OPERATORS[f.path] ?? []).includes(f.operator),
    );
  }
}

function walk(
  value: unknown,
  path: string,
  visit: (path: string, operator: string, value: unknown) => void,
): void {
  if (value === null || typeof value !== 'object' || value instanceof Date) return;
  if (Array.isArray(value)) {
    value.forEach((v) => walk(v, path, visit));
    return;
  }
  if (Buffer.isBuffer(value) || (value as { _bsontype?: unknown })._bsontype !== undefined) return;
  for (const [key, child] of Object.entries(value)) {
    if (key.startsWith('$')) {
      visit(path, key, child);
      walk(child, path, visit);
    } else {
      walk(child, path ? `${path}.${key}` : key, visit);
    }
  }
}
