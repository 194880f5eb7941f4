import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'auth:public';
export const ALLOW_QUERY_API_KEY = 'auth:allow-query-api-key';

/** The route needs no API key (health, metrics). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/**
 * The route also accepts the key as `?X-API-Key=` / `?api_key=`, because EventSource cannot
 * send headers. Only the SSE stream uses it; the value is redacted from logs.
 */
export const AllowQueryApiKey = (): MethodDecorator => SetMetadata(ALLOW_QUERY_API_KEY, true);
