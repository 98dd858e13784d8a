import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../platform/config/app-config.js';
import type { Agent, AgentDescriptor } from './agent.interface.js';
import { createA2aAgent } from './a2a.agent.js';
import { AgentCatalog, optionalNumber, type AgentConfigEntry } from '../../platform/config/agent-config.js';
import { EchoAgent } from './echo.agent.js';
import { ExternalAgent } from './external.agent.js';
import { HttpAgent } from './http.agent.js';
import { OpenAiAgent } from './openai.agent.js';

/** Builds an agent of one kind from its config entry. */
type AgentFactory = (entry: AgentConfigEntry, config: AppConfig) => Agent;

const FACTORIES: Record<string, AgentFactory> = {
  echo: (entry) => new EchoAgent(entry.id, entry.name, entry.description, optionalNumber(entry, 'sleepMs')),
  http: (entry) => new HttpAgent(entry),
  external: (entry) => new ExternalAgent(entry),
  a2a: (entry, config) => createA2aAgent(entry, { timeoutMs: config.agents.timeoutMs }),
  openai: (entry, config) =>
    new OpenAiAgent(entry, { secrets: config.agents.secrets, defaultWindow: config.agents.historyWindow }),
};

/** The runnable agent of every entry of the AgentCatalog (built-in `echo` and AGENTS_FILE), by id. */
@Injectable()
export class AgentsService implements OnApplicationShutdown {
  private readonly logger = new Logger(AgentsService.name);
  private readonly agents = new Map<string, Agent>();
  readonly defaultAgentId: string;

  constructor(config: AppConfig, catalog: AgentCatalog) {
    for (const entry of catalog.entries) this.register(build(entry, config));
    this.defaultAgentId = catalog.defaultAgentId;
    this.logger.log(`agents: ${[...this.agents.keys()].join(', ')} (default ${this.defaultAgentId})`);
  }

  has(id: string): boolean {
    return this.agents.has(id);
  }

  get(id: string): Agent | undefined {
    return this.agents.get(id);
  }

  list(): AgentDescriptor[] {
    return [...this.agents.values()].map((agent) => agent.descriptor);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.agents.values()].map(async (agent) => agent.close?.()));
  }

  private register(agent: Agent): void {
    this.agents.set(agent.descriptor.id, agent);
  }
}

function build(entry: AgentConfigEntry, config: AppConfig): Agent {
  const factory = FACTORIES[entry.kind];
  if (!factory)
    throw new Error(`agent "${entry.id}": unknown kind "${entry.kind}" (known: ${Object.keys(FACTORIES).join(', ')})`);
  return factory(entry, config);
}
