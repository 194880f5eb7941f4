import { Injectable, Logger } from '@nestjs/common';
import type { BusinessLogContext, BusinessLogLevel } from './business-log.record';
import { BusinessLogsRepository } from './business-logs.repository';

/**
 * Records task lifecycle events (created, routed, retried, completed, failed, cancelled) in the
 * `logs` collection and on stdout. A failure to write one never fails the task itself.
 */
@Injectable()
export class BusinessLog {
  private readonly logger = new Logger('BusinessLog');

  constructor(private readonly repository: BusinessLogsRepository) {}

  async record(
    level: BusinessLogLevel,
    message: string,
    context: BusinessLogContext,
  ): Promise<void> {
    const line = { ...context, msg: message };
    if (level === 'ERROR') this.logger.error(line);
    else if (level === 'WARN') this.logger.warn(line);
    else this.logger.log(line);
    try {
      await this.repository.insert({ timestamp: new Date(), level, message, context });
    } catch (err) {
      this.logger.warn({ ...context, err, msg: `Could not store business log "${message}"` });
    }
  }

  /**
   * Records a task's one-off event (its outcome) once, however often it is recorded: a job that
   * runs again after its worker died records it again, in case the death came before the first.
   */
  async recordOnce(
    level: BusinessLogLevel,
    message: string,
    context: BusinessLogContext & { task_id: string },
  ): Promise<void> {
    try {
      const inserted = await this.repository.insertOnce({
        timestamp: new Date(),
        level,
        message,
        context,
      });
      if (!inserted) return;
    } catch (err) {
      this.logger.warn({ ...context, err, msg: `Could not store business log "${message}"` });
    }
    const line = { ...context, msg: message };
    if (level === 'ERROR') this.logger.error(line);
    else if (level === 'WARN') this.logger.warn(line);
    else this.logger.log(line);
  }
}
