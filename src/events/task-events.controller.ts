import { Controller, Get, Headers, Param, Query, Req, Res } from '@nestjs/common';
import {
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AllowQueryApiKey, CurrentAuth, type RequestAuth } from '../auth';
import { API_KEY_SCHEME } from '../auth/api-key-scheme';
import { ApiErrors } from '../common/http/api-error.dto';
import { TaskEventStreamService } from './task-event-stream.service';

@ApiTags('tasks')
@ApiSecurity(API_KEY_SCHEME)
@Controller('v1/tasks')
export class TaskEventsController {
  constructor(private readonly streams: TaskEventStreamService) {}

  @Get(':task_id/events')
  @AllowQueryApiKey()
  @ApiOperation({
    summary:
      "A task's events as Server-Sent Events: stored ones first, then live, closing after the final status.",
    description:
      'Status changes are unnamed messages (`onmessage`); `routing`, `agent_started`, `agent_finished`, `delta` and `usage` are named events. ' +
      'Every event has an id: reconnect with Last-Event-ID (EventSource does it) to get exactly what you missed. ' +
      'After the final status the reconnect answers 204, so EventSource stops; at most SSE_MAX_STREAMS_PER_KEY streams per key are open at once (429 beyond). ' +
      'EventSource cannot send headers, so this endpoint also takes the key as `?api_key=`.',
  })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this event id.' })
  @ApiQuery({
    name: 'last_event_id',
    required: false,
    description: 'Same as the Last-Event-ID header.',
  })
  @ApiQuery({
    name: 'api_key',
    required: false,
    description: 'The API key, for EventSource clients.',
  })
  @ApiOkResponse({
    description: 'An event stream.',
    content: {
      'text/event-stream': {
        example:
          'retry: 2000\n\nid: 1764937000000-0\ndata: {"task_id":"…","status":"queued","seq":1,"at":"…"}\n\n',
      },
    },
  })
  @ApiNoContentResponse({
    description:
      "The task is finished and Last-Event-ID is its final event's: nothing more will come (EventSource stops reconnecting).",
  })
  @ApiErrors('HTTP_ERROR', 'TASK_NOT_FOUND', 'VALIDATION_ERROR', 'RATE_LIMIT_EXCEEDED')
  events(
    @Param('task_id') taskId: string,
    @Headers('last-event-id') lastEventHeader: string | undefined,
    @Query('last_event_id') lastEventQuery: string | undefined,
    @CurrentAuth() auth: RequestAuth,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const lastEventId =
      lastEventHeader ||
      (typeof lastEventQuery === 'string' ? lastEventQuery : undefined) ||
      undefined;
    return this.streams.stream(req, res, taskId, auth.apiKeyId, lastEventId);
  }
}
