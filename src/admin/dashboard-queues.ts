import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { Queue } from 'bullmq';
import { protectionConfig } from '../config';
import { RedisConnections } from '../redis/redis-connections';
import { TaskQueueProducer } from '../tasks/task-queue.producer';
import { QUEUE_BOARD, type QueueBoard } from './queue-board';

/**
 * Queues shown besides `agent_tasks`, by name (same Redis, same prefix). A name nobody uses yet
 * just shows as an empty queue.
 */
export const EXTRA_DASHBOARD_QUEUES = ['webhooks'];

/** Puts the service's queues on the Bull Board when the dashboard is enabled. */
@Injectable()
export class DashboardQueues implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('QueueDashboard');
  private readonly owned: Queue[] = [];

  constructor(
    @Inject(QUEUE_BOARD) private readonly board: QueueBoard,
    private readonly tasks: TaskQueueProducer,
    private readonly redis: RedisConnections,
    @Inject(protectionConfig.KEY) private readonly config: ConfigType<typeof protectionConfig>,
  ) {}

  onModuleInit(): void {
    if (!this.config.bullBoardEnabled) return;
    if (this.config.adminApiKeys.length === 0) {
      this.logger.warn(
        'BULL_BOARD_ENABLED=true but ADMIN_API_KEYS is empty: /admin/queues refuses everyone.',
      );
    }
    this.board.board.addQueue(new BullMQAdapter(this.tasks.queue));
    if (EXTRA_DASHBOARD_QUEUES.length === 0) return;
    const connection = this.redis.createForQueue('dashboard', { enableOfflineQueue: false });
    for (const name of EXTRA_DASHBOARD_QUEUES) {
      const queue = new Queue(name, { connection, prefix: this.redis.queuePrefix });
      queue.on('error', () => undefined); // connection errors are logged by RedisConnections
      this.owned.push(queue);
      this.board.board.addQueue(new BullMQAdapter(queue));
    }
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.allSettled(this.owned.map((queue) => queue.close()));
  }
}
