import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { Queue } from 'bullmq';
import { protectionConfig } from '../config';
import { TASK_QUEUE, WEBHOOK_QUEUE } from '../queues/queue-names';
import { QUEUE_BOARD, type QueueBoard } from './queue-board';

/** Puts the service's queues (the ones QueuesModule registers) on the Bull Board when enabled. */
@Injectable()
export class DashboardQueues implements OnModuleInit {
  private readonly logger = new Logger('QueueDashboard');

  constructor(
    @Inject(QUEUE_BOARD) private readonly board: QueueBoard,
    @InjectQueue(TASK_QUEUE) private readonly tasks: Queue,
    @InjectQueue(WEBHOOK_QUEUE) private readonly webhooks: Queue,
    @Inject(protectionConfig.KEY) private readonly config: ConfigType<typeof protectionConfig>,
  ) {}

  onModuleInit(): void {
    if (!this.config.bullBoardEnabled) return;
    if (this.config.adminApiKeys.length === 0) {
      this.logger.warn(
        'BULL_BOARD_ENABLED=true but ADMIN_API_KEYS is empty: /admin/queues refuses everyone.',
      );
    }
    for (const queue of [this.tasks, this.webhooks]) {
      this.board.board.addQueue(new BullMQAdapter(queue));
    }
  }
}
