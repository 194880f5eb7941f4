import type { ModuleMetadata } from '@nestjs/common';

/**
 * A module as `imports` takes it. A module whose folder cannot import the provider of one of its
 * dependencies (that provider's folder imports it) takes that provider's module as a
 * `register(...)` argument, and the composition root (ApiModule, WorkerModule) passes it.
 */
export type ModuleImport = NonNullable<ModuleMetadata['imports']>[number];
