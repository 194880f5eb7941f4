import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { PageQuery } from '../../common/http/page.query';
import { TASK_STATUSES, type TaskStatus } from '../task.record';

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
