import { Module } from '@nestjs/common';
import { AgentsController } from './agents.controller';
import { AgentsModule } from './agents.module';

/** The HTTP side of agents: GET /v1/agents. */
@Module({ imports: [AgentsModule], controllers: [AgentsController] })
export class AgentsApiModule {}
