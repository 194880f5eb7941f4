import { createBullBoard } from '@bull-board/api';
import { ExpressAdapter } from '@bull-board/express';

/** The Bull Board instance and the Express adapter that serves it. */
export interface QueueBoard {
  board: ReturnType<typeof createBullBoard>;
  adapter: ExpressAdapter;
}

export const QUEUE_BOARD = Symbol('QUEUE_BOARD');

/** An empty board served under `basePath`; queues are added once the app's queues exist. */
export function createQueueBoard(basePath: string): QueueBoard {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(basePath);
  const board = createBullBoard({
    queues: [],
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'Agent Orchestrator', hideDocsLink: true } },
  });
  return { board, adapter };
}
