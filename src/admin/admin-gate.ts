import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { AppError, RouteNotFoundError, UnauthorizedError } from '../common/errors';

/** What a browser shows when it asks for the key (HTTP Basic). */
const CHALLENGE = 'Basic realm="Agent Orchestrator queue dashboard", charset="UTF-8"';

export interface AdminGateOptions {
  enabled: boolean;
  adminApiKeys: readonly string[];
}

/**
 * The dashboard's gate. An admin key (ADMIN_API_KEYS) is accepted in the X-API-Key header
 * (scripts) or as the password of HTTP Basic auth, any user name (browsers: they cannot add a
 * header to a page, but they ask for Basic credentials and send them with every request of the
 * board, its API calls included). The key never travels in a URL, so it never reaches a log.
 * No credentials or a wrong Basic password: 401 with a Basic challenge; another key in
 * X-API-Key: 403. With BULL_BOARD_ENABLED=false the dashboard does not exist: 404.
 */
export function adminGate(
  options: AdminGateOptions,
): (req: Request, res: Response, next: NextFunction) => void {
  const digests = options.adminApiKeys.map(digest);
  const isAdmin = (key: string): boolean => {
    const candidate = digest(key);
    let matched = false;
    // Compare against every key so the time taken does not tell which one (or none) matched.
    for (const known of digests) matched = timingSafeEqual(candidate, known) || matched;
    return matched;
  };
  return (req, res, next) => {
    if (!options.enabled) throw new RouteNotFoundError(req.method, req.originalUrl.split('?')[0]);
    const header = headerKey(req);
    if (header !== undefined) {
      if (!isAdmin(header)) {
        throw new AppError('FORBIDDEN', 'This API key may not use the queue dashboard.');
      }
      return next();
    }
    const basic = basicPassword(req);
    if (basic !== undefined && isAdmin(basic)) return next();
    res.setHeader('WWW-Authenticate', CHALLENGE);
    throw new UnauthorizedError(basic === undefined ? 'missing' : 'invalid');
  };
}

function headerKey(req: Request): string | undefined {
  const value = req.headers['x-api-key'];
  const key = Array.isArray(value) ? value[0] : value;
  return key ? key : undefined;
}

function basicPassword(req: Request): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  return password ? password : undefined;
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
