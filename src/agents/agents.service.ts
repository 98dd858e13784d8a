import { Injectable, Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { AppConfig } from '../config/app-config.js';
import type { Agent, AgentDescriptor } from './agent.interface.js';
import { createA2aAgent } from './a2a.agent.js';
import type { AgentConfigEntry } from './agent-config.js';
import { EchoAgent } from './echo.agent.js';
import { HttpAgent } from './http.agent.js';
import { OpenAiAgent } from './openai.agent.js';

const AGENT_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Builds an agent of one kind from its config entry. */
type AgentFactory = (entry: AgentConfigEntry, config: AppConfig) => Agent;

const FACTORIES: Record<string, AgentFactory> = {
  echo: (entry) => new EchoAgent(entry.id, entry.name, entry.description),
  http: (entry) => new HttpAgent(entry),
  a2a: (entry, config) => createA2aAgent(entry, { timeoutMs: config.agents.timeoutMs }),
  openai: (entry, config) =>
    new OpenAiAgent(entry, { secrets: config.agents.secrets, defaultWindow: config.agents.historyWindow }),
};

/**
 * The configured agents, by id. `echo` is always available; `AGENTS_FILE` (JSON: `{"agents": [...]}`) adds or
 * overrides agents of the kinds `echo`, `http`, `openai` and `a2a`. A bad file stops the service at boot with
 * a message naming the entry.
 */
@Injectable()
export class AgentsService {
  private readonly logger = new Logger(AgentsService.name);
  private readonly agents = new Map<string, Agent>();
  readonly defaultAgentId: string;

  constructor(config: AppConfig) {
    this.register(new EchoAgent());
    if (config.agents.file) for (const entry of readAgentsFile(config.agents.file)) this.register(build(entry, config));
    this.defaultAgentId = config.agents.defaultAgentId;
    if (!this.agents.has(this.defaultAgentId)) {
      throw new Error(`DEFAULT_AGENT_ID "${this.defaultAgentId}" is not a configured agent`);
    }
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

  private register(agent: Agent): void {
    this.agents.set(agent.descriptor.id, agent);
  }
}

function readAgentsFile(path: string): AgentConfigEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`AGENTS_FILE ${path} cannot be read as JSON: ${(error as Error).message}`);
  }
  const agents = (parsed as { agents?: unknown }).agents;
  if (!Array.isArray(agents)) throw new Error(`AGENTS_FILE ${path} must hold {"agents": [...]}`);
  return agents as AgentConfigEntry[];
}

function build(entry: AgentConfigEntry, config: AppConfig): Agent {
  if (typeof entry?.id !== 'string' || !AGENT_ID.test(entry.id)) {
    throw new Error(`agent id ${JSON.stringify(entry?.id)} must match ${AGENT_ID}`);
  }
  const factory = FACTORIES[entry.kind];
  if (!factory) throw new Error(`agent "${entry.id}": unknown kind "${entry.kind}" (known: ${Object.keys(FACTORIES).join(', ')})`);
  return factory(entry, config);
}
