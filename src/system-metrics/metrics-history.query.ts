import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional } from 'class-validator';

export class MetricsHistoryQuery {
  @ApiPropertyOptional({
    description: 'Start (ISO 8601 timestamp, included). Default: 24 hours before `to`.',
    example: '2026-01-04T12:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 timestamp' })
  from?: string;

  @ApiPropertyOptional({
    description: 'End (ISO 8601 timestamp, included). Default: now.',
    example: '2026-01-05T12:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 timestamp' })
  to?: string;
}
