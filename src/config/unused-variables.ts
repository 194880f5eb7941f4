import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { processEnv, type RawEnv } from './load-env';

/**
 * Variables of the original (Python/Celery) design that this service does not read, with what
 * to set instead. A deployment carried over from it would otherwise lose them without a word.
 */
const UNUSED_VARIABLES: Record<string, string> = {
  CELERY_BROKER_URL:
    'this service queues with BullMQ, not Celery: set QUEUE_BROKER_URL for the queue Redis (it defaults to REDIS_URL)',
  CELERY_RESULT_BACKEND:
    'BullMQ keeps job state in the queue Redis and task results are stored in MongoDB: set QUEUE_BROKER_URL (or REDIS_URL) and MONGO_URI',
};

/** One warning line per unused variable that is set (empty counts as unset, as everywhere). */
export function unusedVariableWarnings(raw: RawEnv): string[] {
  return Object.entries(UNUSED_VARIABLES)
    .filter(([name]) => (raw[name] ?? '').trim() !== '')
    .map(([name, instead]) => `${name} is set but not used: ${instead}.`);
}

/** Logs the warnings once, when the application starts. */
@Injectable()
export class UnusedVariablesWarning implements OnModuleInit {
  private readonly logger = new Logger('Config');

  onModuleInit(): void {
    for (const warning of unusedVariableWarnings(processEnv())) this.logger.warn(warning);
  }
}
