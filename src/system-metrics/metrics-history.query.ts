import { DateTimeQuery } from '../common/http/query-params';

export class MetricsHistoryQuery {
  @DateTimeQuery({
    description: 'Start (RFC 3339 date-time, included). Default: 24 hours before `to`.',
    example: '2026-01-04T12:00:00Z',
  })
  from?: string;

  @DateTimeQuery({
    description: 'End (RFC 3339 date-time, included). Default: now.',
    example: '2026-01-05T12:00:00Z',
  })
  to?: string;
}
