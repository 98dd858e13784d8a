import type { TaskSettlement } from '../conversation/tasks.service.js';
import type { ModelPrices } from '../platform/config/app-config.js';
import type { JsonObject } from '../platform/json/json.js';
import type { AgentReply } from './agents/agent.interface.js';
import { priceUsage } from './pricing.js';

/** How a reply settles its task, the same for hosted agents and pull workers. */
export function replySettlement(reply: AgentReply, prices: ModelPrices): TaskSettlement {
  return {
    status: reply.status === 'input_required' ? 'input_required' : 'completed',
    type: 'message',
    parts: reply.parts,
    usage: priceUsage(reply.usage, prices),
    endSession: reply.endSession === true,
    statePatch: reply.statePatch,
    artifacts: reply.artifacts,
    agentContext: reply.agentContext,
  };
}

/** A failed run: the reason as the answer (an `error` event) and as the task's error. */
export function failure(reason: string, agentContext?: JsonObject): TaskSettlement {
  return {
    agentContext,
    status: 'failed',
    type: 'error',
    parts: [
      { kind: 'text', text: reason },
      { kind: 'data', data: { error: reason } },
    ],
    error: reason,
  };
}

/** What a task that ran out of attempts says. */
export function gaveUpReason(attempts: number): string {
  return `gave up after ${attempts} interrupted attempts`;
}
