import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { authConfig } from '../config';
import { apiKeyId } from './api-key-id';

/** Knows the configured keys and checks a presented key against them in constant time. */
@Injectable()
export class ApiKeyService implements OnModuleInit {
  private readonly logger = new Logger('Auth');
  private readonly digests: Buffer[];

  constructor(@Inject(authConfig.KEY) config: ConfigType<typeof authConfig>) {
    this.digests = config.apiKeys.map(digest);
  }

  get enabled(): boolean {
    return this.digests.length > 0;
  }

  onModuleInit(): void {
    if (!this.enabled) {
      this.logger.warn(
        'API_KEYS is empty: authentication is disabled and every caller shares one scope.',
      );
    }
  }

  /** The key's id when it is one of the configured keys, else undefined. */
  verify(presented: string): string | undefined {
    const candidate = digest(presented);
    // Compare against every key so the time taken does not reveal which one (or none) matched.
    let matched = false;
    for (const known of this.digests) matched = timingSafeEqual(candidate, known) || matched;
    return matched ? apiKeyId(presented) : undefined;
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
