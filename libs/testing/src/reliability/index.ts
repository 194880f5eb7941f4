export * from './app-processes';
export * from './census';
export * from './query-recorder';
export * from './raw-http';
export * from './seeded-random';
export * from './task-ledger';
