/** How an agent introduces itself to the router, which lists these in its prompt. */
export interface AgentMeta {
  /** Unique name, e.g. `CodeAgent`; stored as the task's `selected_agent`. */
  name: string;
  /** Category, e.g. `code`; stored as the task's `agent_type` and filterable in `GET /v1/tasks`. */
  type: string;
  /** What the agent is for, in one or two sentences: the router decides from this. */
  description: string;
}
