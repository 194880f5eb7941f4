/** The queue every task goes through, and its one job type. */
export const TASK_QUEUE = 'agent_tasks';
export const PROCESS_TASK_JOB = 'process_task';

export interface ProcessTaskJob {
  task_id: string;
}
