import { Inject, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { RequestHandler } from 'express';
import { protectionConfig } from '../config';
import { QueuesModule } from '../queues/queues.module';
import { adminGate } from './admin-gate';
import { dashboardErrorEnvelope } from './dashboard-errors';
import { DashboardQueues } from './dashboard-queues';
import { createQueueBoard, QUEUE_BOARD, type QueueBoard } from './queue-board';

/** Where the queue dashboard lives. */
export const DASHBOARD_ROUTE = '/admin/queues';

/**
 * The Bull Board queue dashboard at /admin/queues (API side), behind an admin key and switched
 * by BULL_BOARD_ENABLED. Operators inspect, retry and clean jobs there; a retried task job goes
 * through the same conditional state machine as any other, so it cannot change a finished task.
 *
 * It is mounted here with @bull-board/api and @bull-board/express, as @bull-board/nestjs does:
 * that package's index loads @nestjs/bull-shared, which resolves to the ESM-only v12 in this
 * tree and cannot be loaded by jest.
 */
@Module({
  imports: [QueuesModule],
  providers: [
    { provide: QUEUE_BOARD, useFactory: () => createQueueBoard(DASHBOARD_ROUTE) },
    DashboardQueues,
  ],
})
export class AdminModule implements NestModule {
  constructor(
    @Inject(QUEUE_BOARD) private readonly board: QueueBoard,
    @Inject(protectionConfig.KEY) private readonly config: ConfigType<typeof protectionConfig>,
  ) {}

  configure(consumer: MiddlewareConsumer): void {
    const gate = adminGate({
      enabled: this.config.bullBoardEnabled,
      adminApiKeys: this.config.adminApiKeys,
    });
    // getRouter() is typed `any` by @bull-board/express; it is an Express router.
    const router = this.board.adapter.getRouter() as RequestHandler;
    consumer.apply(gate, dashboardErrorEnvelope, router).forRoutes(DASHBOARD_ROUTE);
  }
}
