/** The one job type of the `agent_tasks` queue (TASK_QUEUE). */
export const PROCESS_TASK_JOB = 'process_task';

export interface ProcessTaskJob {
  task_id: string;
  /**
   * Set when the task started its session: nothing came before it, so the worker skips the
   * history read. Absent on re-enqueued jobs, which read it.
   */
  new_session?: true;
}
