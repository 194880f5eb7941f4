import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentAuth, type RequestAuth } from '../auth';
import { API_KEY_SCHEME } from '../auth/api-key-scheme';
import { ApiErrors } from '../common/http/api-error.dto';
import { setPagingHeaders } from '../common/http/paging-headers';
import { PageQuery } from '../common/http/page.query';
import { SessionsService } from './sessions.service';
import { SessionView, toSessionView } from './session.views';

@ApiTags('sessions')
@ApiSecurity(API_KEY_SCHEME)
@Controller('v1/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get(':session_id')
  @ApiOperation({ summary: 'A session and its messages (oldest first, paginated).' })
  @ApiOkResponse({ type: SessionView })
  @ApiErrors('HTTP_ERROR', 'SESSION_NOT_FOUND', 'VALIDATION_ERROR')
  async get(
    @Param('session_id') sessionId: string,
    @Query() query: PageQuery,
    @CurrentAuth() auth: RequestAuth,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SessionView> {
    const { session, messages, total } = await this.sessions.get(
      sessionId,
      auth.apiKeyId,
      query.page,
      query.page_size,
    );
    setPagingHeaders(
      res,
      `/v1/sessions/${encodeURIComponent(sessionId)}`,
      query.page,
      query.page_size,
      total,
      {},
    );
    return toSessionView(session, messages, {
      page: query.page,
      page_size: query.page_size,
      total,
    });
  }
}
