export * from './boot-options';
export * from './config.errors';
export * from './config.module';
export * from './env.schema';
export * from './load-env';
export * from './namespaces';
export * from './settings-snapshot';
