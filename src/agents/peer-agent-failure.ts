import { AppError } from '../common/errors';
import type { AgentRunRecord, RoutingDecision, TaskUsage } from './peer-agent.types';

/**
 * How PeerAgentService.run fails: the code and retryability of the underlying error (kept as
 * `cause`), plus what was done before the failure, so the pipeline can persist the router run
 * and the tokens already spent.
 */
export class PeerAgentFailure extends AppError {
  constructor(
    cause: AppError,
    readonly runs: AgentRunRecord[],
    readonly usage: TaskUsage,
    readonly routing?: RoutingDecision,
  ) {
    super(cause.code, cause.message, { retryable: cause.retryable, details: cause.details, cause });
  }
}
