import { ApiProperty } from '@nestjs/swagger';

export class QueueView {
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Jobs waiting to run: waiting + delayed (null: Redis did not answer).',
    example: 5,
  })
  pending_tasks!: number | null;

  @ApiProperty({ nullable: true, type: Number, example: 4 }) waiting!: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 1, description: 'Waiting for a retry.' })
  delayed!: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 2 }) active!: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 0, description: 'Kept for 7 days.' })
  failed!: number | null;
}

export class TodayView {
  @ApiProperty({ example: '2026-01-05', description: 'The UTC day.' }) date!: string;
  @ApiProperty({ example: 42, description: 'Tasks created today.' }) total_tasks!: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { ContentAgent: 18, CodeAgent: 24 },
    description: 'Today’s tasks by selected agent; tasks not routed yet are not listed.',
  })
  tasks_per_agent!: Record<string, number>;

  @ApiProperty({ example: 38 }) completed!: number;
  @ApiProperty({ example: 3 }) failed!: number;
  @ApiProperty({ example: 1 }) cancelled!: number;
}

export class LatencyView {
  @ApiProperty({ nullable: true, type: Number, example: 2300 }) avg!: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 1900 }) p50!: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 5000 }) p95!: number | null;
  @ApiProperty({ example: 38, description: 'Completed tasks the figures are over.' })
  samples!: number;
}

export class CostView {
  @ApiProperty({ example: 51200 }) prompt_tokens!: number;
  @ApiProperty({ example: 20480 }) completion_tokens!: number;
  @ApiProperty({ example: 71680 }) total_tokens!: number;
  @ApiProperty({ example: 0.412, description: 'Estimated; unknown costs count 0.' }) usd!: number;
}

export class DependenciesView {
  @ApiProperty({ enum: ['up', 'down'] }) mongo!: 'up' | 'down';
  @ApiProperty({ enum: ['up', 'down'] }) redis!: 'up' | 'down';
  @ApiProperty({ enum: ['up', 'down', 'unconfigured'] })
  llm_provider!: 'up' | 'down' | 'unconfigured';
}

export class ApiHealthView {
  @ApiProperty({
    enum: ['healthy', 'degraded'],
    description: 'healthy when every dependency is up.',
  })
  status!: 'healthy' | 'degraded';

  @ApiProperty({ type: DependenciesView }) dependencies!: DependenciesView;
}

export class SystemMetricsView {
  @ApiProperty({ type: QueueView }) queue!: QueueView;
  @ApiProperty({ type: TodayView }) today!: TodayView;

  @ApiProperty({
    type: LatencyView,
    description:
      'completed_at − created_at of today’s completed tasks, in ms; percentiles by nearest rank.',
  })
  latency_ms!: LatencyView;

  @ApiProperty({ type: CostView, description: 'Tokens and USD of the tasks created today.' })
  cost_today!: CostView;

  @ApiProperty({ type: ApiHealthView }) api_health!: ApiHealthView;
  @ApiProperty({ example: 'v1' }) api_version!: string;
}

export class MetricsSnapshotView {
  @ApiProperty({ example: '2026-01-05' }) date!: string;
  @ApiProperty({ example: '2026-01-05T12:35:00.000Z' }) taken_at!: string;
  @ApiProperty({ example: 42 }) total_tasks!: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { ContentAgent: 18, CodeAgent: 24 },
  })
  tasks_per_agent!: Record<string, number>;

  @ApiProperty({
    nullable: true,
    type: 'object',
    properties: {
      waiting: { type: 'number' },
      delayed: { type: 'number' },
      active: { type: 'number' },
      failed: { type: 'number' },
    },
    example: { waiting: 4, delayed: 1, active: 2, failed: 0 },
  })
  queue_lengths!: { waiting: number; delayed: number; active: number; failed: number } | null;

  @ApiProperty({ nullable: true, type: Number, example: 2300 }) avg_latency_ms!: number | null;
}

export class MetricsHistoryView {
  @ApiProperty({ example: '2026-01-04T12:00:00.000Z' }) from!: string;
  @ApiProperty({ example: '2026-01-05T12:00:00.000Z' }) to!: string;
  @ApiProperty({ type: [MetricsSnapshotView], description: 'Oldest first.' })
  snapshots!: MetricsSnapshotView[];
}
