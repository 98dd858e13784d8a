import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentError, type Agent, type AgentReply } from '../agents/agent.interface.js';
import { AgentsService } from '../agents/agents.service.js';
import { AppConfig } from '../config/app-config.js';
import { PrismaService } from '../database/prisma.service.js';
import type { EventType, Part } from '../events/event.record.js';
import { EventsRepository } from '../events/events.repository.js';
import { SessionsRepository } from '../sessions/sessions.repository.js';
import { TaskDeltasService } from '../streaming/task-deltas.service.js';
import type { TaskRecord, TaskStatus } from '../tasks/task.record.js';
import { priceUsage } from './pricing.js';
import { TasksRepository } from '../tasks/tasks.repository.js';

const TRANSIENT_RETRIES = 2;

interface Settlement {
  status: TaskStatus;
  type: EventType;
  parts: Part[];
  usage?: AgentReply['usage'];
  error?: string;
}

/** Runs one claimed task: calls its agent with the session's recent history and stores the one response. */
@Injectable()
export class TaskExecutor {
  private readonly logger = new Logger(TaskExecutor.name);

  constructor(
    private readonly config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly agents: AgentsService,
    private readonly sessions: SessionsRepository,
    private readonly events: EventsRepository,
    private readonly tasks: TasksRepository,
    private readonly deltas: TaskDeltasService,
  ) {}

  async execute(task: TaskRecord, owner: string, shutdown: AbortSignal): Promise<void> {
    const agent = this.agents.get(task.agentId);
    if (task.attempts > this.config.worker.maxAttempts) {
      return this.settle(task, owner, failure(`gave up after ${task.attempts - 1} interrupted attempts`));
    }
    if (!agent) return this.settle(task, owner, failure(`agent "${task.agentId}" is not configured`));
    const controller = new AbortController();
    const abortOnShutdown = () => controller.abort(new Error('shutting down'));
    shutdown.addEventListener('abort', abortOnShutdown);
    const heartbeat = this.keepLease(task, owner, controller);
    try {
      const reply = await this.runWithRetries(agent, task, controller.signal);
      await this.deltas.flush(task.id);
      await this.settle(task, owner, {
        status: reply.status === 'input_required' ? 'input_required' : 'completed',
        type: 'message',
        parts: reply.parts,
        usage: reply.usage,
      });
    } catch (error) {
      if (shutdown.aborted) return; // released to the queue by the worker; another run will pick it up
      const reason = controller.signal.aborted && !(error instanceof AgentError) ? timeoutReason(controller.signal) : message(error);
      await this.settle(task, owner, failure(reason));
    } finally {
      await this.deltas.flush(task.id);
      clearInterval(heartbeat);
      shutdown.removeEventListener('abort', abortOnShutdown);
    }
  }

  private async runWithRetries(agent: Agent, task: TaskRecord, signal: AbortSignal): Promise<AgentReply> {
    const session = await this.sessions.findById(task.sessionId);
    if (!session) throw new AgentError('session no longer exists');
    const recent = await this.events.recent(task.sessionId, task.triggerSeq, this.config.agents.historyWindow + 1);
    const event = recent.at(-1);
    if (!event || event.id !== task.triggerEventId) throw new AgentError('trigger event is missing');
    const timeout = AbortSignal.timeout(this.config.agents.timeoutMs);
    const combined = AbortSignal.any([signal, timeout]);
    for (let attempt = 0; ; attempt++) {
      try {
        return await agent.run({
          session: { id: session.id, userId: session.userId, agentId: session.agentId, state: session.state, metadata: session.metadata },
          history: recent.slice(0, -1),
          event,
          turn: task.turn,
          signal: combined,
          onDelta: (text) => this.deltas.push(task.id, task.sessionId, text),
        });
      } catch (error) {
        if (combined.aborted) throw new AgentError(timeout.aborted ? `agent timed out after ${this.config.agents.timeoutMs} ms` : message(error));
        if (!(error instanceof AgentError && error.transient) || attempt >= TRANSIENT_RETRIES) throw error;
        await sleep(200 * 2 ** attempt, undefined, { signal: combined });
      }
    }
  }

  /** Renews the lease while the agent works; a lost lease (canceled, re-claimed) aborts the run. */
  private keepLease(task: TaskRecord, owner: string, controller: AbortController): NodeJS.Timeout {
    const leaseMs = this.config.worker.leaseMs;
    const timer = setInterval(() => {
      this.tasks
        .renewLease(task.id, owner, leaseMs)
        .then((held) => held || controller.abort(new Error('task was canceled')))
        .catch((error: unknown) => this.logger.warn(`lease renewal for task ${task.id} failed: ${message(error)}`));
    }, Math.max(Math.floor(leaseMs / 3), 100));
    timer.unref();
    return timer;
  }

  /** One transaction: the response event, the task's outcome and (for a question) the session's status. */
  private async settle(task: TaskRecord, owner: string, outcome: Settlement): Promise<void> {
    const settled = await this.prisma.$transaction(async (tx) => {
      if (!(await this.tasks.lockHeld(task.id, owner, tx))) return false;
      const appended = await this.events.append(
        {
          id: randomUUID(),
          sessionId: task.sessionId,
          type: outcome.type,
          role: 'agent',
          parts: outcome.parts,
          taskId: task.id,
          // The task's outcome travels with the answer, so replaying events alone can tell the session's status.
          metadata: { taskStatus: outcome.status },
          usage: priceUsage(outcome.usage, this.config.modelPrices),
        },
        { requireOpen: false },
        tx,
      );
      if (!appended) return false;
      await this.tasks.finish(task.id, { status: outcome.status, responseEventId: appended.event.id, error: outcome.error }, tx);
      if (outcome.status === 'input_required') await this.sessions.update(task.sessionId, { status: 'input_required' }, tx);
      return true;
    });
    if (!settled) this.logger.warn(`task ${task.id} was no longer held by this worker; its result was dropped`);
  }
}

function failure(reason: string): Settlement {
  return { status: 'failed', type: 'error', parts: [{ kind: 'text', text: reason }, { kind: 'data', data: { error: reason } }], error: reason };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function timeoutReason(signal: AbortSignal): string {
  return message(signal.reason ?? 'aborted');
}
