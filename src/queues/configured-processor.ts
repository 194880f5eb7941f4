import type { FactoryProvider, InjectionToken, Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Processor, type WorkerHost } from '@nestjs/bullmq';
import type { WorkerOptions } from 'bullmq';

export interface ConfiguredProcessorSpec<T extends WorkerHost> {
  /** The @Processor(queue) class, extending WorkerHost. */
  processor: Type<T>;
  queue: string;
  /** What `workerOptions` needs (config namespaces, RedisConnections). */
  inject: InjectionToken[];
  // The dependencies are whatever `inject` names, in its order: Nest's factories are untyped.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  workerOptions: (...deps: any[]) => WorkerOptions;
}

/**
 * The provider of a @Processor class whose worker options come from injected config. Only worker
 * side modules provide processors, so an api process never consumes jobs.
 *
 * Why this wrapper exists, and why it is this thin: @nestjs/bullmq 11 builds each worker from
 * the options passed to @Processor(), fixed when the class is declared, and its maintainers do
 * not plan to take them from injected config (nestjs/bull#2583). BullMQ reads lock and stalled
 * settings only when a worker is built (its lock manager is made in the constructor), so they
 * cannot be set afterwards either. Our concurrency, lock and stalled settings are validated
 * config, never read at import time. So, per application, this declares a subclass of the
 * processor with the same public decorator, @Processor(queue, options), and has Nest build it
 * (ModuleRef.create). @nestjs/bullmq then discovers, starts, wires @OnWorkerEvent handlers and
 * closes the worker exactly as for any processor; nothing of its internals is touched.
 */
export function configuredProcessor<T extends WorkerHost>(
  spec: ConfiguredProcessorSpec<T>,
): FactoryProvider<T> {
  return {
    provide: spec.processor,
    inject: [ModuleRef, ...spec.inject],
    useFactory: (moduleRef: ModuleRef, ...deps: unknown[]): Promise<T> => {
      // A subclass of a concrete processor: `process` is the processor's own.
      const Configured = class extends (spec.processor as unknown as Type<object>) {};
      Object.defineProperty(Configured, 'name', { value: spec.processor.name });
      Processor(spec.queue, spec.workerOptions(...deps))(Configured);
      return moduleRef.create(Configured) as Promise<T>;
    },
  };
}
