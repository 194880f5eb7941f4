import type { Request } from 'express';

/** Who is calling, as established by the API-key guard. */
export interface RequestAuth {
  /** Short hash of the caller's key; null when auth is disabled. */
  apiKeyId: string | null;
}

export interface AuthenticatedRequest extends Request {
  auth?: RequestAuth;
}
