import { readFileSync } from 'node:fs';
import { Global, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { EmbeddedServices } from '../backing-services/embedded-services';
import { ConfigValidationError, redisConfig } from '../config';
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
          // On a cluster nothing is embedded: the nodes are given.
          url: cfg.clusterNodes ? undefined : await embedded.redisUrl(),
          clusterNodes: cfg.clusterNodes,
          keyPrefix: cfg.keyPrefix,
          queueUrl: cfg.queueUrl,
          username: cfg.username,
          password: cfg.password,
          tls: cfg.tls,
          tlsCa: cfg.tlsCaFile ? readCaFile(cfg.tlsCaFile) : undefined,
        }),
    },
  ],
  exports: [RedisConnections],
})
export class RedisModule {}

function readCaFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigValidationError(
      'REDIS_TLS_CA_FILE',
      `cannot be read (${(err as Error).message})`,
    );
  }
}
