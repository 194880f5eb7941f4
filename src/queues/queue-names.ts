/** The service's BullMQ queues. Names only: job types and payloads belong to their features. */
export const TASK_QUEUE = 'agent_tasks';
export const WEBHOOK_QUEUE = 'webhooks';

/** Every queue, in the order the dashboard shows them. */
export const QUEUES = [TASK_QUEUE, WEBHOOK_QUEUE] as const;
