import { DateQuery } from '../common/http/query-params';

export class UsageQuery {
  @DateQuery({
    description: 'First UTC day (YYYY-MM-DD). Default: 29 days before `to`.',
    example: '2026-01-01',
  })
  from?: string;

  @DateQuery({
    description: 'Last UTC day, included (YYYY-MM-DD). Default: today.',
    example: '2026-01-31',
  })
  to?: string;
}
