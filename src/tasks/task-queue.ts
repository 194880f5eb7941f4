/** The queue every task goes through, and its one job type. */
export const TASK_QUEUE = 'agent_tasks';
export const PROCESS_TASK_JOB = 'process_task';

export interface ProcessTaskJob {
  task_id: string;
  /**
   * Set when the task started its session: nothing came before it, so the worker skips the
   * history read. Absent on re-enqueued jobs, which read it.
   */
  new_session?: true;
}
