import { Global, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { EmbeddedServices } from '../backing-services/embedded-services';
import { redisConfig } from '../config';
import { RedisConnections } from './redis-connections';

/** The one shared Redis module: every Redis connection comes from RedisConnections. */
@Global()
@Module({
  providers: [
    {
      provide: RedisConnections,
      inject: [EmbeddedServices, redisConfig.KEY],
      useFactory: async (embedded: EmbeddedServices, cfg: ConfigType<typeof redisConfig>) =>
        new RedisConnections({
          url: await embedded.redisUrl(),
          keyPrefix: cfg.keyPrefix,
          queueUrl: cfg.queueUrl,
        }),
    },
  ],
  exports: [RedisConnections],
})
export class RedisModule {}
