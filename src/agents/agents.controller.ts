import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { API_KEY_SCHEME } from '../auth/api-key-scheme';
import { ApiErrors } from '../common/http/api-error.dto';
import { AgentRegistry } from './agent-registry';

class AgentView {
  @ApiProperty({ example: 'CodeAgent' }) name!: string;
  @ApiProperty({ example: 'code' }) type!: string;
  @ApiProperty() description!: string;
}

@ApiTags('agents')
@ApiSecurity(API_KEY_SCHEME)
@Controller('v1/agents')
export class AgentsController {
  constructor(private readonly registry: AgentRegistry) {}

  @Get()
  @ApiOperation({
    summary:
      'The registered agents: names for the `agent` field, types for the `agent_type` filter.',
  })
  @ApiOkResponse({ type: [AgentView] })
  @ApiErrors('HTTP_ERROR')
  list(): AgentView[] {
    return this.registry.list().map(({ name, type, description }) => ({ name, type, description }));
  }
}
