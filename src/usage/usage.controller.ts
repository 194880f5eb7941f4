import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentAuth, type RequestAuth } from '../auth';
import { API_KEY_SCHEME } from '../auth/api-key-scheme';
import { ApiErrors } from '../common/http/api-error.dto';
import { UsageQuery } from './usage.query';
import { UsageService } from './usage.service';
import { UsageReport } from './usage.views';

@ApiTags('usage')
@ApiSecurity(API_KEY_SCHEME)
@Controller('v1/usage')
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  @Get()
  @ApiOperation({
    summary: 'Your tokens, estimated USD and task counts per UTC day.',
    description:
      'Covers the tasks your API key created from `from` to `to` (UTC days, both included, at most 366). ' +
      'These are the figures budgets (BUDGETS_JSON) are checked against.',
  })
  @ApiOkResponse({ type: UsageReport })
  @ApiErrors('HTTP_ERROR', 'VALIDATION_ERROR', 'RATE_LIMIT_EXCEEDED')
  report(@Query() query: UsageQuery, @CurrentAuth() auth: RequestAuth): Promise<UsageReport> {
    return this.usage.report(auth.apiKeyId, query);
  }
}
