import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { Agent, type AgentHandler, type AgentMeta } from '../../libs/agent-kit/src';
import { DuplicateAgentNameError, InvalidAgentError } from './agents.errors';

type ProviderWrapper = ReturnType<DiscoveryService['getProviders']>[number];

/** The router's answer for "no agent fits"; no agent may take it as its name. */
export const NO_AGENT = 'Unknown';

export interface RegisteredAgent {
  meta: AgentMeta;
  handler: AgentHandler;
}

/**
 * Every @Agent() provider of the application, found once at startup. Boot fails on a duplicate
 * name or a class that cannot run, so a broken plugin is noticed before any task reaches it.
 */
@Injectable()
export class AgentRegistry implements OnModuleInit {
  private readonly logger = new Logger(AgentRegistry.name);
  private readonly agents = new Map<string, RegisteredAgent>();

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    const seen = new Map<string, { metatype: unknown; className: string }>();
    for (const wrapper of this.discovery.getProviders({ metadataKey: Agent.KEY })) {
      const meta = this.discovery.getMetadataByDecorator(Agent, wrapper);
      if (!meta) continue;
      const className = wrapper.metatype?.name ?? String(wrapper.token);
      const previous = seen.get(meta.name);
      // The same class provided by two modules is one agent, not a clash.
      if (previous && previous.metatype === wrapper.metatype) continue;
      if (previous) throw new DuplicateAgentNameError(meta.name, previous.className, className);
      seen.set(meta.name, { metatype: wrapper.metatype, className });
      this.agents.set(meta.name, {
        meta: checkedMeta(meta, className),
        handler: handlerOf(wrapper, className),
      });
    }
    const listed = this.list().map((a) => `${a.name} (${a.type})`);
    this.logger.log(`Agents: ${listed.join(', ') || 'none'}`);
  }

  /** Name, type and description of every agent, in discovery order. */
  list(): AgentMeta[] {
    return [...this.agents.values()].map((a) => ({ ...a.meta }));
  }

  has(name: string): boolean {
    return this.agents.has(name);
  }

  get(name: string): RegisteredAgent | undefined {
    return this.agents.get(name);
  }

  /** The distinct agent types, e.g. for filtering tasks by `agent_type`. */
  types(): string[] {
    return [...new Set([...this.agents.values()].map((a) => a.meta.type))];
  }
}

function checkedMeta(meta: AgentMeta, className: string): AgentMeta {
  for (const field of ['name', 'type', 'description'] as const) {
    if (typeof meta[field] !== 'string' || meta[field].trim() === '') {
      throw new InvalidAgentError(className, `@Agent({ ${field} }) must be a non-empty string`);
    }
  }
  if (meta.name === NO_AGENT) {
    throw new InvalidAgentError(className, `"${NO_AGENT}" is reserved for tasks no agent fits`);
  }
  return { name: meta.name, type: meta.type, description: meta.description.trim() };
}

function handlerOf(wrapper: ProviderWrapper, className: string): AgentHandler {
  // A request-scoped agent has no instance to hold, and tasks run outside any request.
  if (!wrapper.isDependencyTreeStatic()) {
    throw new InvalidAgentError(
      className,
      'agents must be singletons, not request- or transient-scoped',
    );
  }
  const instance: unknown = wrapper.instance;
  if (
    typeof instance !== 'object' ||
    instance === null ||
    typeof (instance as Partial<AgentHandler>).run !== 'function'
  ) {
    throw new InvalidAgentError(className, 'it has no run(ctx) method');
  }
  return instance as AgentHandler;
}
