import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ConversationReader } from '../../conversation/conversation.reader.js';
import type { EventRecord } from '../../conversation/records/event.record.js';
import type { SessionRecord } from '../../conversation/records/session.record.js';
import type { TaskRecord } from '../../conversation/records/task.record.js';
import { TasksService, type TaskSettlement } from '../../conversation/tasks.service.js';
import { assertAgent, type AuthContext } from '../../identity/auth/auth-context.js';
import { AgentCatalog } from '../../platform/config/agent-config.js';
import { AppConfig } from '../../platform/config/app-config.js';
import { Errors } from '../../platform/errors/domain-error.js';
import { MetricsService } from '../../platform/metrics/metrics.service.js';
import { AgentError, type AgentReply, type AgentStep } from '../agents/agent.interface.js';
import { parseAgentAnswer, parseList, parseStep, type AgentAnswer } from '../agents/reply-records.js';
import { QueueRepository, type ClaimedLease } from '../queue.repository.js';
import { failure, gaveUpReason, replySettlement } from '../task-outcome.js';
import { ClaimWakeups } from './claim-wakeups.service.js';

export interface ClaimOptions {
  waitMs: number;
  limit: number;
  leaseMs?: number;
  historyLimit: number;
}

/** A claimed task with what its worker needs to answer it. */
export interface PullClaim {
  leaseId: string;
  leaseExpiresAt: Date;
  task: TaskRecord;
  trigger: EventRecord;
  session: SessionRecord;
  history: EventRecord[];
}

export interface PullResult extends AgentAnswer {
  leaseId: string;
  error?: { message: string; retryable?: boolean };
}

/**
 * Pull workers: agent tokens claim their `external` agents' tasks, store steps, renew leases and settle, with
 * the queue's rules (one task per session in turn order, leases, attempts) and the conversation's writes
 * (steps and the answer only while the lease is held). The lease owner is the lease id the worker holds.
 */
@Injectable()
export class PullTasksService {
  constructor(
    private readonly config: AppConfig,
    private readonly catalog: AgentCatalog,
    private readonly queue: QueueRepository,
    private readonly reader: ConversationReader,
    private readonly tasks: TasksService,
    private readonly wakeups: ClaimWakeups,
    private readonly metrics: MetricsService,
  ) {}

  /** Long-polls until a task is claimable or `waitMs` passes; `disconnected` ends the wait early. */
  async claim(auth: AuthContext, agentId: string, options: ClaimOptions, disconnected: AbortSignal) {
    this.assertWorksFor(auth, agentId);
    return this.wakeups.track(this.longPoll(agentId, options, disconnected));
  }

  private async longPoll(agentId: string, options: ClaimOptions, disconnected: AbortSignal): Promise<PullClaim[]> {
    const stop = AbortSignal.any([disconnected, this.wakeups.shutdown]);
    const deadline = Date.now() + options.waitMs;
    for (;;) {
      if (stop.aborted) return [];
      const wakeup = this.wakeups.arm(agentId);
      const round = await this.claimRound(agentId, options).catch((error: unknown) => {
        wakeup.dispose();
        throw error;
      });
      if (round.claims.length > 0 && disconnected.aborted) {
        wakeup.dispose();
        await this.handBack(round.claims);
        return [];
      }
      if (round.claims.length > 0 || Date.now() >= deadline || stop.aborted) {
        wakeup.dispose();
        return round.claims;
      }
      // a round that only failed tasks out of attempts looks again at once
      if (!round.retry) await wakeup.wait(Math.min(this.config.worker.pollMs, deadline - Date.now()), stop);
      else wakeup.dispose();
    }
  }

  async recordSteps(auth: AuthContext, taskId: string, leaseId: string, steps: unknown[]): Promise<EventRecord[]> {
    const task = await this.visibleTask(auth, taskId);
    const parsed = checked(() => parseList(steps, 'steps', parseStep));
    return this.storeSteps(task, leaseId, parsed);
  }

  async heartbeat(auth: AuthContext, taskId: string, leaseId: string, leaseMs?: number): Promise<Date> {
    await this.visibleTask(auth, taskId);
    const expiresAt = await this.queue.renew(taskId, leaseId, leaseMs ?? this.config.worker.leaseMs);
    if (!expiresAt) throw Errors.leaseLost();
    return expiresAt;
  }

  /** Settles the task with the worker's answer, or fails it (or queues it again, for a retryable error). */
  async settle(auth: AuthContext, taskId: string, result: PullResult): Promise<TaskRecord> {
    const task = await this.visibleTask(auth, taskId);
    if ((result.parts === undefined) === (result.error === undefined)) {
      throw Errors.badRequest('request/validation_failed', 'a result has exactly one of "parts" and "error"');
    }
    if (result.error) return this.fail(task, result.leaseId, result.error);
    const reply: AgentReply = checked(() => parseAgentAnswer(result));
    if (reply.steps?.length) await this.storeSteps(task, result.leaseId, reply.steps);
    // the worker's token reports the outcome: bound to the agent, it may patch app: state
    await this.settleHeld(task, result.leaseId, { ...replySettlement(reply, this.config.modelPrices), auth });
    return (await this.reader.task(taskId))!;
  }

  private async fail(task: TaskRecord, leaseId: string, error: { message: string; retryable?: boolean }) {
    if (error.retryable && task.attempts < this.config.worker.maxAttempts) {
      if (!(await this.queue.requeue(task.id, leaseId, true))) throw Errors.leaseLost();
    } else {
      const reason = error.retryable ? `${error.message} (gave up after ${task.attempts} attempts)` : error.message;
      await this.settleHeld(task, leaseId, failure(reason));
    }
    return (await this.reader.task(task.id))!;
  }

  private async settleHeld(task: TaskRecord, leaseId: string, outcome: TaskSettlement): Promise<void> {
    if (!(await this.settleIfHeld(task, leaseId, outcome))) throw Errors.leaseLost();
  }

  private async settleIfHeld(task: TaskRecord, leaseId: string, outcome: TaskSettlement): Promise<boolean> {
    const settled = await this.tasks.settle(task, leaseId, outcome);
    if (settled) this.metrics.tasksSettled.inc({ agent: task.agentId, status: outcome.status });
    return settled;
  }

  private async storeSteps(task: TaskRecord, leaseId: string, steps: AgentStep[]): Promise<EventRecord[]> {
    const stored = await this.tasks.recordSteps(task, leaseId, steps);
    for (const step of steps) {
      this.metrics.agentSteps.inc({ agent: task.agentId, kind: step.kind, outcome: stored ? 'stored' : 'refused' });
    }
    if (!stored) throw Errors.leaseLost();
    return stored;
  }

  /** One claim: the tasks with their views; tasks out of attempts (or whose trigger is gone) are failed instead. */
  private async claimRound(agentId: string, options: ClaimOptions): Promise<{ claims: PullClaim[]; retry: boolean }> {
    const leaseId = `pull:${randomUUID()}`;
    const leaseMs = options.leaseMs ?? this.config.worker.leaseMs;
    const claimed = await this.queue.claimLeases(leaseId, leaseMs, options.limit, { agentId });
    const claims: PullClaim[] = [];
    for (const item of claimed) {
      const claim = await this.prepare(item, leaseId, options.historyLimit);
      if (claim) claims.push(claim);
    }
    return { claims, retry: claimed.length > claims.length };
  }

  private async prepare(claimed: ClaimedLease, leaseId: string, historyLimit: number): Promise<PullClaim | undefined> {
    const { task, leaseExpiresAt } = claimed;
    if (task.attempts > this.config.worker.maxAttempts) {
      await this.settleIfHeld(task, leaseId, failure(gaveUpReason(task.attempts - 1)));
      return undefined;
    }
    const session = await this.reader.session(task.sessionId);
    const trigger = await this.reader.event(task.sessionId, task.triggerEventId);
    if (!session || !trigger) {
      await this.settleIfHeld(task, leaseId, failure('trigger event is missing'));
      return undefined;
    }
    // what a hosted agent is shown: the state with its user: and app: keys, and the effective history
    const state = await this.reader.mergedState(session);
    const history =
      historyLimit > 0 ? await this.reader.recentHistory(task.sessionId, task.triggerSeq, historyLimit) : [];
    return { leaseId, leaseExpiresAt, task, trigger, session: { ...session, state }, history };
  }

  /** Claims the client never received go back to the queue at once, as if never claimed. */
  private async handBack(claims: PullClaim[]): Promise<void> {
    for (const claim of claims) await this.queue.requeue(claim.task.id, claim.leaseId, false);
  }

  private assertWorksFor(auth: AuthContext, agentId: string): void {
    assertAgent(auth);
    if (!(auth.agentIds ?? []).includes(agentId) || !this.catalog.isExternal(agentId)) throw Errors.agentNotFound();
  }

  /** A task of one of the token's external agents; anything else is not found. */
  private async visibleTask(auth: AuthContext, taskId: string): Promise<TaskRecord> {
    assertAgent(auth);
    const task = await this.reader.task(taskId);
    const mine = task && (auth.agentIds ?? []).includes(task.agentId) && this.catalog.isExternal(task.agentId);
    if (!mine) throw Errors.taskNotFound();
    return task;
  }
}

/** An answer the turn contract refuses is the client's mistake: 400 with the reason that names the field. */
function checked<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof AgentError)
      throw Errors.badRequest('request/validation_failed', error.message, [error.message]);
    throw error;
  }
}
