import { mongo } from 'mongoose';
import { isDuplicateKey } from './duplicate-key';

type AnyBulkWriteOperation<T extends Document> = mongo.AnyBulkWriteOperation<T>;
type BulkWriteResult = mongo.BulkWriteResult;
type Document = mongo.Document;
type WriteError = mongo.WriteError;

/** What a bulk write needs of a collection: the driver's `bulkWrite`, nothing else. */
export interface BulkWritable<T extends Document> {
  bulkWrite(
    operations: AnyBulkWriteOperation<T>[],
    options: { ordered: false },
  ): Promise<BulkWriteResult>;
}

interface Pending<T extends Document> {
  operation: AnyBulkWriteOperation<T>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** More batches than this are never in flight at once for one collection. */
const MAX_IN_FLIGHT = 2;
/** Nor more writes than this in one batch. */
const MAX_BATCH = 500;

/**
 * Group commit for one collection. A write goes out at once when the collection is idle; writes
 * arriving while batches are in flight wait for one to return and then go out together, as one
 * unordered `bulkWrite`. An idle service therefore writes with no added delay, and a busy one
 * makes one round trip (and one database command per kind of write) for many concurrent writers.
 * Each caller still learns its own outcome: its write's error (a duplicate key, say) rejects its
 * promise only, and a failure of the whole command rejects every write of the batch.
 */
export class BulkWriter<T extends Document> {
  private queue: Pending<T>[] = [];
  private inFlight = 0;
  private readonly idle = new Set<() => void>();

  constructor(private readonly collection: BulkWritable<T>) {}

  /** The writer of a mongoose model's collection (which mongoose types as holding any document). */
  static forModel<T extends Document>(model: {
    collection: BulkWritable<Document>;
  }): BulkWriter<T> {
    return new BulkWriter<T>(model.collection as unknown as BulkWritable<T>);
  }

  write(operation: AnyBulkWriteOperation<T>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ operation, resolve, reject });
      // Same-tick writes (Promise.all of several callers) join the batch before it leaves.
      if (this.queue.length === 1 && this.inFlight < MAX_IN_FLIGHT)
        queueMicrotask(() => this.flush());
    });
  }

  /**
   * Inserts the document unless one with the same unique key (its `_id`, say) is stored: true when
   * inserted, false on a duplicate key. Other errors reject as usual.
   */
  async insertIfAbsent(document: mongo.OptionalId<T>): Promise<boolean> {
    try {
      await this.write({ insertOne: { document } });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  /** Resolves once nothing is queued or in flight (for shutdown). */
  drained(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.add(resolve));
  }

  private flush(): void {
    while (this.queue.length > 0 && this.inFlight < MAX_IN_FLIGHT) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.inFlight += 1;
      void this.send(batch).finally(() => {
        this.inFlight -= 1;
        this.flush();
        if (this.queue.length === 0 && this.inFlight === 0) {
          for (const resolve of this.idle) resolve();
          this.idle.clear();
        }
      });
    }
  }

  private async send(batch: Pending<T>[]): Promise<void> {
    const failed = new Map<number, unknown>();
    try {
      await this.collection.bulkWrite(
        batch.map((p) => p.operation),
        { ordered: false },
      );
    } catch (err) {
      const bulk = asBulkWriteError(err);
      // Without write errors the command itself failed (no server, a write concern): all did.
      if (!bulk || bulk.writeErrors.length === 0) {
        for (const p of batch) p.reject(err);
        return;
      }
      for (const writeError of bulk.writeErrors) failed.set(writeError.index, toError(writeError));
    }
    batch.forEach((p, index) => {
      const error = failed.get(index);
      if (error !== undefined) p.reject(error);
      else p.resolve();
    });
  }
}

/** The driver's error for a bulk write whose command ran but some of its writes failed. */
function asBulkWriteError(err: unknown): { writeErrors: WriteError[] } | undefined {
  if (!(err instanceof mongo.MongoBulkWriteError)) return undefined;
  // The driver gives one error or an array, depending on how many writes failed.
  const writeErrors: WriteError | readonly WriteError[] = err.writeErrors;
  return { writeErrors: ([] as WriteError[]).concat(writeErrors) };
}

/** One write's failure as the error the driver throws for a single write (code 11000, …). */
function toError(writeError: WriteError): Error {
  return new mongo.MongoServerError({
    message: writeError.errmsg ?? `write error ${writeError.code}`,
    code: writeError.code,
    keyValue: writeError.errInfo,
  });
}
