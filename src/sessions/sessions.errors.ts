import { AppError } from '../common/errors';

export class SessionNotFoundError extends AppError {
  constructor(sessionId: string) {
    super('SESSION_NOT_FOUND', `Session ${sessionId} was not found.`);
  }
}
