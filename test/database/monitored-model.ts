import { testBackends } from '@agent-orchestrator/testing';
import mongoose from 'mongoose';

/** A mongoose model on its own connection to this test file's database. */
export interface MonitoredModel<T> {
  connection: mongoose.Connection;
  model: mongoose.Model<T>;
  /** Names of the write commands (`insert`, `update`) the connection has sent, in order. */
  commands: string[];
  /** Drops the test database and closes the connection. */
  close(): Promise<void>;
}

/** Connects, registers the model with its indexes, and records the write commands it sends. */
export async function monitoredModel<T>(
  name: string,
  schema: mongoose.Schema<T>,
): Promise<MonitoredModel<T>> {
  const backends = testBackends();
  const connection = await mongoose
    .createConnection(backends.mongoUri, { dbName: backends.mongoDbName, monitorCommands: true })
    .asPromise();
  const model = connection.model<T>(name, schema);
  await model.createIndexes();
  const commands: string[] = [];
  connection.getClient().on('commandStarted', (event) => {
    if (event.commandName === 'insert' || event.commandName === 'update')
      commands.push(event.commandName);
  });
  return {
    connection,
    model,
    commands,
    close: async () => {
      await connection.dropDatabase();
      await connection.close();
    },
  };
}
