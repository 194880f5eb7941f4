import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { MongooseModule } from '@nestjs/mongoose';
import { EmbeddedServices } from '../backing-services/embedded-services';
import { mongoConfig } from '../config';

/** The MongoDB connection. Repositories register their schemas with MongooseModule.forFeature. */
@Module({
  imports: [
    MongooseModule.forRootAsync({
      inject: [EmbeddedServices, mongoConfig.KEY],
      useFactory: async (embedded: EmbeddedServices, cfg: ConfigType<typeof mongoConfig>) => ({
        uri: await embedded.mongoUri(),
        dbName: cfg.dbName,
        // Fail fast while MongoDB is away instead of queueing operations in memory; the driver
        // still waits up to serverSelectionTimeoutMS for a server to come back.
        bufferCommands: false,
        serverSelectionTimeoutMS: 5000,
        autoIndex: true,
        autoCreate: true,
      }),
    }),
  ],
})
export class DatabaseModule {}
