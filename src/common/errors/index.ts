export * from './app-error';
export * from './error-codes';
export * from './http.errors';
export * from './retryable';
