export type BusinessLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface BusinessLogContext {
  task_id?: string;
  session_id?: string | null;
  agent_name?: string | null;
  request_id?: string | null;
  [extra: string]: unknown;
}

/** One durable business event in the `logs` collection. */
export interface BusinessLogRecord {
  timestamp: Date;
  level: BusinessLogLevel;
  message: string;
  context: BusinessLogContext;
}
