import { ApiProperty } from '@nestjs/swagger';

export class UsageFigures {
  @ApiProperty({ description: 'Tasks created.', example: 12 }) tasks!: number;
  @ApiProperty({ example: 10 }) completed!: number;
  @ApiProperty({ example: 1 }) failed!: number;
  @ApiProperty({ example: 1 }) cancelled!: number;
  @ApiProperty({ example: 5120 }) prompt_tokens!: number;
  @ApiProperty({ example: 2048 }) completion_tokens!: number;
  @ApiProperty({ example: 7168 }) total_tokens!: number;
  @ApiProperty({
    description: 'Estimated USD (sum of the tasks’ usd_estimate; unknown costs count 0).',
    example: 0.0412,
  })
  usd!: number;
}

export class UsageDay extends UsageFigures {
  @ApiProperty({ example: '2026-01-05' }) date!: string;
}

export class UsageReport {
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The calling key’s id; null when authentication is disabled (every task).',
    example: '3f2a9c0d1e4b5a6f',
  })
  api_key_id!: string | null;

  @ApiProperty({ example: '2026-01-01' }) from!: string;
  @ApiProperty({ example: '2026-01-31' }) to!: string;
  @ApiProperty({ type: UsageFigures }) totals!: UsageFigures;

  @ApiProperty({
    type: [UsageDay],
    description: 'One entry per UTC day of the range, oldest first, days without tasks included.',
  })
  days!: UsageDay[];
}
