import { AppError } from '../common/errors';

export class TaskNotFoundError extends AppError {
  constructor(taskId: string) {
    super('TASK_NOT_FOUND', `Task ${taskId} was not found.`);
  }
}

export class TaskAlreadyFinishedError extends AppError {
  constructor(taskId: string, status: string) {
    super('TASK_ALREADY_FINISHED', `Task ${taskId} is already ${status}.`);
  }
}

export class QueueUnavailableError extends AppError {
  constructor(cause?: unknown) {
    super(
      'QUEUE_UNAVAILABLE',
      'The task queue is unavailable; the task was not accepted. Try again shortly.',
      {
        retryable: true,
        cause,
      },
    );
  }
}

export class IdempotencyConflictError extends AppError {
  constructor() {
    super(
      'IDEMPOTENCY_CONFLICT',
      'This Idempotency-Key was already used with a different request body; use a new key for a new task.',
    );
  }
}
