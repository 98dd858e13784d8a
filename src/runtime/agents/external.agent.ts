import type { AgentConfigEntry } from '../../platform/config/agent-config.js';
import { AgentError, type Agent, type AgentDescriptor, type AgentReply } from './agent.interface.js';

/**
 * An agent the service never calls: workers running anywhere claim its tasks over HTTP
 * (`POST /v1/agents/:agentId/tasks/claim`) and settle them. The hosted worker does not claim them, so `run` is
 * only a guard against a task reaching it anyway.
 */
export class ExternalAgent implements Agent {
  readonly descriptor: AgentDescriptor;

  constructor(entry: AgentConfigEntry) {
    this.descriptor = {
      id: entry.id,
      kind: 'external',
      name: entry.name ?? entry.id,
      description: entry.description ?? 'An agent whose workers pull its tasks over HTTP',
      streaming: false,
    };
  }

  run(): Promise<AgentReply> {
    return Promise.reject(new AgentError(`agent "${this.descriptor.id}" is external: its pull workers answer`));
  }
}
