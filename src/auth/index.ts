export * from './api-key-scheme';
export * from './api-key-id';
export * from './api-key.service';
export * from './auth.decorators';
export * from './auth.module';
export * from './current-auth.decorator';
export * from './request-auth';
