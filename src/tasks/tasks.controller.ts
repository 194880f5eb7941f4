import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentAuth, type RequestAuth } from '../auth';
import { API_KEY_SCHEME } from '../auth/api-key-scheme';
import { ValidationError } from '../common/errors';
import { ApiErrors } from '../common/http/api-error.dto';
import { setPagingHeaders } from '../common/http/paging-headers';
import { BudgetGuard } from '../protection/budget.guard';
import { CreateTaskDto } from './dto/create-task.dto';
import { ListTasksQuery } from './dto/list-tasks.query';
import { TasksService, type RequestOrigin } from './tasks.service';
import { ExecuteTaskResponse, TaskDetailView, TaskSummaryView } from './task.views';

const MAX_IDEMPOTENCY_KEY = 255;

@ApiTags('tasks')
@ApiSecurity(API_KEY_SCHEME)
@Controller('v1')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Post('agent/execute')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Submit a task. It is stored as queued and routed by the Peer Agent on a worker.',
    description:
      'Send an Idempotency-Key to make retries safe: the same key and body within 24 h replay the first task.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'At most 255 characters.' })
  @ApiOkResponse({
    type: ExecuteTaskResponse,
    description: 'Accepted (or replayed: header Idempotent-Replayed: true).',
  })
  @ApiErrors(
    'INVALID_JSON',
    'HTTP_ERROR',
    'IDEMPOTENCY_CONFLICT',
    'PAYLOAD_TOO_LARGE',
    'UNSUPPORTED_MEDIA_TYPE',
    'VALIDATION_ERROR',
    'QUEUE_UNAVAILABLE',
  )
  @ApiErrors('BUDGET_EXCEEDED', 'RATE_LIMIT_EXCEEDED')
  @UseGuards(BudgetGuard)
  async execute(
    @Body() dto: CreateTaskDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CurrentAuth() auth: RequestAuth,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ExecuteTaskResponse> {
    if (
      idempotencyKey !== undefined &&
      (idempotencyKey.length === 0 || idempotencyKey.length > MAX_IDEMPOTENCY_KEY)
    ) {
      throw new ValidationError([
        {
          field: 'Idempotency-Key',
          message: `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY} characters`,
        },
      ]);
    }
    const { body, replayed } = await this.tasks.accept(dto, origin(req, auth), idempotencyKey);
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    return body;
  }

  @Get('tasks')
  @ApiOperation({
    summary: 'List your tasks, newest first. Paging in X-Total-Count and Link headers.',
  })
  @ApiOkResponse({ type: [TaskSummaryView] })
  @ApiErrors('HTTP_ERROR', 'VALIDATION_ERROR')
  async list(
    @Query() query: ListTasksQuery,
    @CurrentAuth() auth: RequestAuth,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TaskSummaryView[]> {
    const { items, total } = await this.tasks.list(query, auth.apiKeyId);
    setPagingHeaders(res, '/v1/tasks', query.page, query.page_size, total, {
      status: query.status,
      agent_type: query.agent_type,
    });
    return items;
  }

  @Get('tasks/:task_id')
  @ApiOperation({ summary: 'A task with its result, error, cost and agent runs.' })
  @ApiOkResponse({ type: TaskDetailView })
  @ApiErrors('HTTP_ERROR', 'TASK_NOT_FOUND')
  get(@Param('task_id') taskId: string, @CurrentAuth() auth: RequestAuth): Promise<TaskDetailView> {
    return this.tasks.get(taskId, auth.apiKeyId);
  }

  @Post('tasks/:task_id/cancel')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel a task.',
    description:
      'A queued task is cancelled at once (200). A processing task is signalled to its worker, which aborts the LLM call and marks it cancelled (202).',
  })
  @ApiOkResponse({ type: TaskDetailView, description: 'Cancelled.' })
  @ApiAcceptedResponse({
    type: TaskDetailView,
    description: 'Cancellation requested; the worker finishes it.',
  })
  @ApiErrors('HTTP_ERROR', 'TASK_NOT_FOUND', 'TASK_ALREADY_FINISHED')
  async cancel(
    @Param('task_id') taskId: string,
    @CurrentAuth() auth: RequestAuth,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TaskDetailView> {
    const { view, immediate } = await this.tasks.cancel(taskId, auth.apiKeyId, requestId(req));
    if (!immediate) res.status(202);
    return view;
  }
}

function requestId(req: Request): string | null {
  return typeof req.id === 'string' ? req.id : null;
}

function origin(req: Request, auth: RequestAuth): RequestOrigin {
  return {
    apiKeyId: auth.apiKeyId,
    ip: req.ip ?? null,
    userAgent: req.headers['user-agent'] ?? null,
    requestId: requestId(req),
  };
}
