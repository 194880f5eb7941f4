import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { UnauthorizedError } from '../common/errors';
import { ApiKeyService } from './api-key.service';
import { ALLOW_QUERY_API_KEY, IS_PUBLIC } from './auth.decorators';
import type { AuthenticatedRequest } from './request-auth';

const QUERY_KEY_NAMES = ['X-API-Key', 'x-api-key', 'api_key'];

/** Global guard: every route needs a valid X-API-Key unless marked @Public() or auth is off. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!this.keys.enabled) {
      req.auth = { apiKeyId: null };
      return true;
    }
    const allowQuery =
      this.reflector.get<boolean>(ALLOW_QUERY_API_KEY, context.getHandler()) ?? false;
    const presented = presentedKey(req, allowQuery);
    if (presented === undefined) throw new UnauthorizedError('missing');
    const id = this.keys.verify(presented);
    if (id === undefined) throw new UnauthorizedError('invalid');
    req.auth = { apiKeyId: id };
    return true;
  }
}

function presentedKey(req: AuthenticatedRequest, allowQuery: boolean): string | undefined {
  const header = req.headers['x-api-key'];
  const value = Array.isArray(header) ? header[0] : header;
  if (value) return value;
  if (!allowQuery) return undefined;
  const query = req.query as Record<string, unknown>;
  for (const name of QUERY_KEY_NAMES) {
    const candidate = query[name];
    if (typeof candidate === 'string' && candidate) return candidate;
  }
  return undefined;
}
