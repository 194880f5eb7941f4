import { testBackends } from '@agent-orchestrator/testing';
import { mongo } from 'mongoose';
import { BulkWriter } from '../../src/database/bulk-writer';
import { isMongoUnavailable } from '../../src/common/errors';

interface Doc {
  key: string;
  n: number;
}

describe('BulkWriter (group commit against the test MongoDB)', () => {
  const backends = testBackends();
  let client: mongo.MongoClient;
  let collection: mongo.Collection<Doc>;
  const commands: string[] = [];

  beforeAll(async () => {
    client = await mongo.MongoClient.connect(backends.mongoUri, { monitorCommands: true });
    client.on('commandStarted', (event) => {
      if (event.commandName === 'insert' || event.commandName === 'update')
        commands.push(event.commandName);
    });
    collection = client.db(backends.mongoDbName).collection<Doc>('docs');
    await collection.createIndex({ key: 1 }, { unique: true });
  });

  beforeEach(async () => {
    await collection.deleteMany({});
    commands.length = 0;
  });

  afterAll(async () => {
    await client.db(backends.mongoDbName).dropDatabase();
    await client.close();
  });

  it('sends writes made in the same tick as one command', async () => {
    const writer = new BulkWriter<Doc>(collection);
    const writes = Array.from({ length: 40 }, (_, n) =>
      writer.write({ insertOne: { document: { key: `k${n}`, n } } }),
    );
    await Promise.all(writes);

    expect(await collection.countDocuments()).toBe(40);
    expect(commands).toEqual(['insert']);
  });

  it('writes at once when the collection is idle, and batches what queues behind a write in flight', async () => {
    const writer = new BulkWriter<Doc>(collection);
    const first = writer.write({ insertOne: { document: { key: 'first', n: 0 } } });
    await new Promise((r) => setImmediate(r)); // the first batch has left
    const second = writer.write({ insertOne: { document: { key: 'second', n: 1 } } });
    const third = writer.write({ insertOne: { document: { key: 'third', n: 2 } } });
    const fourth = writer.write({ insertOne: { document: { key: 'fourth', n: 3 } } });
    await Promise.all([first, second, third, fourth]);

    expect(await collection.countDocuments()).toBe(4);
    expect(commands.length).toBeLessThanOrEqual(3);
    expect(commands.length).toBeGreaterThanOrEqual(2);
  });

  it("rejects only the write that failed (a duplicate key) and stores the batch's others", async () => {
    await collection.insertOne({ key: 'taken', n: 0 });
    const writer = new BulkWriter<Doc>(collection);
    const [a, duplicate, b] = await Promise.allSettled([
      writer.write({ insertOne: { document: { key: 'a', n: 1 } } }),
      writer.write({ insertOne: { document: { key: 'taken', n: 2 } } }),
      writer.write({ insertOne: { document: { key: 'b', n: 3 } } }),
    ]);

    expect(a.status).toBe('fulfilled');
    expect(b.status).toBe('fulfilled');
    expect(duplicate.status).toBe('rejected');
    expect((duplicate as PromiseRejectedResult).reason).toBeInstanceOf(Error);
    expect((duplicate as PromiseRejectedResult).reason).toMatchObject({ code: 11000 });
    expect((await collection.find({}, { sort: { key: 1 } }).toArray()).map((d) => d.key)).toEqual([
      'a',
      'b',
      'taken',
    ]);
  });

  it('rejects every write of a batch whose command fails, and still drains', async () => {
    const closed = await mongo.MongoClient.connect(backends.mongoUri);
    const gone = closed.db(backends.mongoDbName).collection<Doc>('docs');
    await closed.close();
    const broken = new BulkWriter<Doc>(gone);
    const results = await Promise.allSettled([
      broken.write({ insertOne: { document: { key: 'p', n: 1 } } }),
      broken.write({ insertOne: { document: { key: 'q', n: 2 } } }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect(broken.drained()).resolves.toBeUndefined();
    expect(await collection.countDocuments()).toBe(0);
  });

  it('rejects every write, as database-unavailable, when no server answers', async () => {
    // A port nothing listens on: the driver wraps the connection error in a MongoBulkWriteError
    // with no write errors, which must not read as "every write succeeded".
    const nowhere = new mongo.MongoClient('mongodb://127.0.0.1:9/', {
      serverSelectionTimeoutMS: 300,
    });
    try {
      const writer = new BulkWriter<Doc>(nowhere.db('nowhere').collection<Doc>('docs'));
      const results = await Promise.allSettled([
        writer.write({ insertOne: { document: { key: 'p', n: 1 } } }),
        writer.write({
          updateOne: { filter: { key: 'q' }, update: { $set: { n: 2 } }, upsert: true },
        }),
      ]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      for (const r of results) {
        expect(isMongoUnavailable((r as PromiseRejectedResult).reason)).toBe(true);
      }
    } finally {
      await nowhere.close();
    }
  });

  it('drained() waits for writes still queued or in flight', async () => {
    const writer = new BulkWriter<Doc>(collection);
    for (let n = 0; n < 25; n++)
      void writer.write({ insertOne: { document: { key: `d${n}`, n } } });
    await writer.drained();
    expect(await collection.countDocuments()).toBe(25);
  });
});
