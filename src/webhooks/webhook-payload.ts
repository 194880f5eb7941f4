import { API_VERSION } from '../tasks/task.views';
import type { TaskRecord } from '../tasks/task.record';

/** The JSON body a webhook receiver gets when a task finishes. */
export function webhookPayload(
  task: TaskRecord,
  publicBaseUrl: string | undefined,
): Record<string, unknown> {
  const base = (publicBaseUrl ?? '').replace(/\/$/, '');
  return {
    type: `task.${task.status}`,
    timestamp: new Date().toISOString(),
    data: {
      task_id: task.task_id,
      session_id: task.session_id,
      status: task.status,
      agent: task.selected_agent,
      agent_type: task.agent_type,
      summary: task.result?.summary ?? null,
      error: task.error
        ? { code: task.error.code, message: task.error.message, retryable: task.error.retryable }
        : null,
      cost: task.cost,
      created_at: new Date(task.created_at).toISOString(),
      completed_at: task.completed_at ? new Date(task.completed_at).toISOString() : null,
      links: {
        task: `${base}/v1/tasks/${task.task_id}`,
        events: `${base}/v1/tasks/${task.task_id}/events`,
      },
      api_version: API_VERSION,
    },
  };
}
