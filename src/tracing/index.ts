export * from './spans';
export * from './trace-log-fields';
export * from './tracing';
export * from './http-server-span';
