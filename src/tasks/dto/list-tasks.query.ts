import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { IntegerQuery } from '../../common/http/query-params';
import { TASK_STATUSES, type TaskStatus } from '../task.record';

/** The last page number accepted: with 100 a page, 10^8 items can be reached. */
export const MAX_PAGE = 1_000_000;
export const MAX_PAGE_SIZE = 100;

export class PageQuery {
  @IntegerQuery({ min: 1, max: MAX_PAGE, default: 1, description: 'Page number, from 1.' })
  page: number = 1;

  @IntegerQuery({ min: 1, max: MAX_PAGE_SIZE, default: 20, description: 'Items per page.' })
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
