import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { TASK_STATUSES, type TaskStatus } from '../task.record';

export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'page must be an integer ≥ 1' })
  @Min(1, { message: 'page must be an integer ≥ 1' })
  page: number = 1;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'page_size must be an integer from 1 to 100' })
  @Min(1, { message: 'page_size must be an integer from 1 to 100' })
  @Max(100, { message: 'page_size must be an integer from 1 to 100' })
  page_size: number = 20;
}

export class ListTasksQuery extends PageQuery {
  @ApiPropertyOptional({ enum: TASK_STATUSES })
  @IsOptional()
  @IsIn(TASK_STATUSES, { message: `status must be one of: ${TASK_STATUSES.join(', ')}` })
  status?: TaskStatus;

  @ApiPropertyOptional({
    description: 'A registered agent type, e.g. content or code.',
    example: 'code',
  })
  @IsOptional()
  @IsString()
  agent_type?: string;
}
