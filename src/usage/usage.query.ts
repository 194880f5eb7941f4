import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class UsageQuery {
  @ApiPropertyOptional({
    description: 'First UTC day (YYYY-MM-DD). Default: 29 days before `to`.',
    example: '2026-01-01',
  })
  @IsOptional()
  @Matches(DATE, { message: 'from must be a date written YYYY-MM-DD' })
  from?: string;

  @ApiPropertyOptional({
    description: 'Last UTC day, included (YYYY-MM-DD). Default: today.',
    example: '2026-01-31',
  })
  @IsOptional()
  @Matches(DATE, { message: 'to must be a date written YYYY-MM-DD' })
  to?: string;
}
