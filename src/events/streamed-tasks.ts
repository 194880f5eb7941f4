/** What the SSE endpoint knows of a task. */
export interface StreamedTask {
  task_id: string;
  status: string;
  selected_agent: string | null;
  agent_type: string | null;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
  error: { code: string; message: string } | null;
}

export interface StreamedTaskStatus {
  status: string;
  completed_at: Date | null;
  updated_at: Date;
}

/**
 * How the SSE endpoint reads tasks. The tasks module provides it: tasks publishes through this
 * folder, so this folder cannot import tasks, and the composition root (ApiModule) hands the
 * provider to TaskEventsApiModule.register().
 */
export abstract class StreamedTasks {
  /** The task, when `owner` (a key id, or null with auth off) may see it; else TASK_NOT_FOUND. */
  abstract find(taskId: string, owner: string | null): Promise<StreamedTask>;
  /** Just its status, for frequent checks; null when it does not exist. */
  abstract status(taskId: string): Promise<StreamedTaskStatus | null>;
}
