import type { TaskSettlement } from '../conversation/tasks.service.js';
import type { ModelPrices } from '../platform/config/app-config.js';
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
  };
}

/** A failed run: the reason as the answer (an `error` event) and as the task's error. */
export function failure(reason: string): TaskSettlement {
  return {
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
