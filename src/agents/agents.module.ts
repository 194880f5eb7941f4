import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { LlmModule } from '../llm/llm.module';
import { AgentRegistry } from './agent-registry';
import { CodeAgent } from './code/code.agent';
import { ContentAgent } from './content/content.agent';
import { PeerAgentService } from './peer-agent.service';
import { TaskRouter } from './task-router';

/**
 * The agents, their registry and the Peer Agent that routes between them. Mode-neutral: the API
 * reads the registry to validate requests, the worker runs PeerAgentService. An agent added to
 * any module of the application is discovered too.
 */
@Module({
  imports: [DiscoveryModule, LlmModule],
  providers: [AgentRegistry, TaskRouter, PeerAgentService, ContentAgent, CodeAgent],
  exports: [AgentRegistry, PeerAgentService],
})
export class AgentsModule {}
