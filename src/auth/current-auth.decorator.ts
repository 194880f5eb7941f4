import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest, RequestAuth } from './request-auth';

/** The caller's RequestAuth, set by the API-key guard. */
export const CurrentAuth = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): RequestAuth =>
    ctx.switchToHttp().getRequest<AuthenticatedRequest>().auth ?? { apiKeyId: null },
);
