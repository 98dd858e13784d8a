import { Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentError, type Agent, type AgentReply, type AgentStep } from './agents/agent.interface.js';
import { AgentsService } from './agents/agents.service.js';
import { AppConfig } from '../platform/config/app-config.js';
import { errorMessage } from '../platform/errors/error-message.js';
import { ConversationReader } from '../conversation/conversation.reader.js';
import type { TaskRecord } from '../conversation/records/task.record.js';
import { TasksService, type TaskSettlement } from '../conversation/tasks.service.js';
import { MetricsService } from '../platform/metrics/metrics.service.js';
import { DeltaPublisher } from './delta-publisher.service.js';
import { failure, gaveUpReason, replySettlement } from './task-outcome.js';
import { QueueRepository, type ClaimedTask } from './queue.repository.js';
import { GenAi } from '../platform/telemetry/gen-ai.attributes.js';
import { markSpanError, withSpan, type Span } from '../platform/telemetry/tracing.js';

const TRANSIENT_RETRIES = 2;

/** Runs one claimed task: calls its agent with the session's recent history and stores the one response. */
@Injectable()
export class TaskRunner {
  private readonly logger = new Logger(TaskRunner.name);

  constructor(
    private readonly config: AppConfig,
    private readonly agents: AgentsService,
    private readonly reader: ConversationReader,
    private readonly tasks: TasksService,
    private readonly queue: QueueRepository,
    private readonly deltas: DeltaPublisher,
    private readonly metrics: MetricsService,
  ) {}

  /** One `invoke_agent` span per run, continuing the trace of the request that queued the task. */
  async execute(task: ClaimedTask, owner: string, shutdown: AbortSignal): Promise<void> {
    const agent = this.agents.get(task.agentId);
    const model = agent?.descriptor.model;
    const attributes = {
      [GenAi.operationName]: 'invoke_agent',
      [GenAi.agentId]: task.agentId,
      [GenAi.agentName]: agent?.descriptor.name ?? task.agentId,
      [GenAi.conversationId]: task.sessionId,
      ...(model ? { [GenAi.requestModel]: model } : {}),
      'task.id': task.id,
      'task.attempt': task.attempts,
    };
    const name = `invoke_agent ${agent?.descriptor.name ?? task.agentId}`;
    await withSpan(name, { attributes, parent: task.traceContext ?? {} }, (span) =>
      this.run(task, agent, owner, shutdown, span),
    );
  }

  private async run(
    task: TaskRecord,
    agent: Agent | undefined,
    owner: string,
    shutdown: AbortSignal,
    span: Span,
  ): Promise<void> {
    if (task.attempts > this.config.worker.maxAttempts) {
      return this.settle(task, owner, failure(gaveUpReason(task.attempts - 1)));
    }
    if (!agent) return this.settle(task, owner, failure(`agent "${task.agentId}" is not configured`));
    const controller = new AbortController();
    const abortOnShutdown = () => controller.abort(new Error('shutting down'));
    shutdown.addEventListener('abort', abortOnShutdown);
    const heartbeat = this.keepLease(task, owner, controller);
    const stopTimer = this.metrics.agentCallDuration.startTimer({ agent: task.agentId });
    const onStep = this.stepRecorder(task, owner, controller);
    try {
      const reply = await this.runWithRetries(agent, task, controller.signal, onStep);
      stopTimer({ outcome: reply.status === 'input_required' ? 'input_required' : 'completed' });
      span.setAttributes(usageAttributes(reply));
      for (const step of reply.steps ?? []) await onStep(step);
      if (controller.signal.aborted) throw new AgentError(errorMessage(controller.signal.reason));
      this.deltas.flush(task.id);
      await this.settle(task, owner, replySettlement(reply, this.config.modelPrices));
    } catch (error) {
      if (shutdown.aborted) return; // released to the queue by the worker; another run will pick it up
      stopTimer({ outcome: 'failed' });
      this.metrics.agentCallErrors.inc({ agent: task.agentId });
      const reason = this.failureReason(task, error, controller.signal);
      markSpanError(span, reason);
      await this.settle(task, owner, failure(reason, error instanceof AgentError ? error.agentContext : undefined));
    } finally {
      this.deltas.flush(task.id);
      clearInterval(heartbeat);
      shutdown.removeEventListener('abort', abortOnShutdown);
    }
  }

  /**
   * Stores each step as the agent reports it, one after another in the order reported. A refused step (the lease
   * is gone) or a failed write aborts the run, as a lost lease does.
   */
  private stepRecorder(task: TaskRecord, owner: string, controller: AbortController) {
    let previous: Promise<void> = Promise.resolve();
    const store = async (step: AgentStep): Promise<void> => {
      if (controller.signal.aborted) return;
      try {
        const stored = await this.tasks.recordStep(task, owner, step);
        const outcome = stored ? 'stored' : 'refused';
        this.metrics.agentSteps.inc({ agent: task.agentId, kind: step.kind, outcome });
        if (!stored) controller.abort(new Error('task was canceled'));
      } catch (error) {
        this.logger.error(`a step of task ${task.id} could not be stored: ${errorMessage(error)}`);
        controller.abort(new Error('a step could not be stored (internal error)'));
      }
    };
    return (step: AgentStep): Promise<void> => (previous = previous.then(() => store(step)));
  }

  private async runWithRetries(
    agent: Agent,
    task: TaskRecord,
    signal: AbortSignal,
    onStep: (step: AgentStep) => Promise<void>,
  ): Promise<AgentReply> {
    // user: and app: keys beside the session's own, so agents read (and patch) every scope
    const input = await this.reader.turnInput(task.sessionId, task.triggerSeq, this.config.agents.historyWindow + 1);
    if (!input) throw new AgentError('session no longer exists');
    const { session, recent, state: scopedState } = input;
    const event = recent.at(-1);
    if (!event || event.id !== task.triggerEventId) throw new AgentError('trigger event is missing');
    const timeout = AbortSignal.timeout(this.config.agents.timeoutMs);
    const combined = AbortSignal.any([signal, timeout]);
    for (let attempt = 0; ; attempt++) {
      try {
        return await agent.run({
          session: {
            id: session.id,
            userId: session.userId,
            agentId: session.agentId,
            state: scopedState,
            metadata: session.metadata,
            agentContext: session.agentContext,
          },
          history: recent.slice(0, -1),
          event,
          turn: task.turn,
          signal: combined,
          onDelta: (text) => this.deltas.push(task.id, task.sessionId, text),
          onStep,
        });
      } catch (error) {
        if (combined.aborted) {
          throw new AgentError(
            timeout.aborted ? `agent timed out after ${this.config.agents.timeoutMs} ms` : errorMessage(error),
          );
        }
        if (!(error instanceof AgentError && error.transient) || attempt >= TRANSIENT_RETRIES) throw error;
        await sleep(200 * 2 ** attempt, undefined, { signal: combined });
      }
    }
  }

  /** Renews the lease while the agent works; a lost lease (canceled, re-claimed) aborts the run. */
  private keepLease(task: TaskRecord, owner: string, controller: AbortController): NodeJS.Timeout {
    const leaseMs = this.config.worker.leaseMs;
    const timer = setInterval(
      () => {
        this.queue
          .renewLease(task.id, owner, leaseMs)
          .then((held) => held || controller.abort(new Error('task was canceled')))
          .catch((error: unknown) =>
            this.logger.warn(`lease renewal for task ${task.id} failed: ${errorMessage(error)}`),
          );
      },
      Math.max(Math.floor(leaseMs / 3), 100),
    );
    timer.unref();
    return timer;
  }

  /**
   * What the task's error says: an agent's own failure, a timeout or cancellation, and for anything else (a
   * database error, a bug) a generic reason, logged here, so driver text never reaches a client.
   */
  private failureReason(task: TaskRecord, error: unknown, signal: AbortSignal): string {
    if (error instanceof AgentError) return error.message;
    if (signal.aborted) return timeoutReason(signal);
    this.logger.error(`task ${task.id} failed: ${errorMessage(error)}`);
    return 'the agent could not be run (internal error)';
  }

  /** The conversation stores the answer, the task's outcome and the session's status in one transaction. */
  private async settle(task: TaskRecord, owner: string, outcome: TaskSettlement): Promise<void> {
    const settled = await this.tasks.settle(task, owner, outcome);
    if (settled) this.metrics.tasksSettled.inc({ agent: task.agentId, status: outcome.status });
    if (!settled) this.logger.warn(`task ${task.id} was no longer held by this worker; its result was dropped`);
  }
}

function usageAttributes(reply: AgentReply): Record<string, number | string> {
  const usage = reply.usage;
  return {
    ...(usage?.model ? { [GenAi.responseModel]: usage.model } : {}),
    ...(usage?.promptTokens !== undefined ? { [GenAi.inputTokens]: usage.promptTokens } : {}),
    ...(usage?.completionTokens !== undefined ? { [GenAi.outputTokens]: usage.completionTokens } : {}),
  };
}

function timeoutReason(signal: AbortSignal): string {
  return errorMessage(signal.reason ?? 'aborted');
}
