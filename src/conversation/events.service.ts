import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  agentReadScope,
  assertCanWrite,
  seesAgent,
  writeScope,
  type AuthContext,
} from '../identity/auth/auth-context.js';
import { canonicalJson } from '../platform/json/canonical-json.js';
import { fetchPage } from '../platform/http/pagination.js';
import { DomainError, Errors } from '../platform/errors/domain-error.js';
import { mapPrismaError } from '../platform/errors/prisma-error.mapper.js';
import { MetricsService } from '../platform/metrics/metrics.service.js';
import { AppConfig } from '../platform/config/app-config.js';
import { currentTraceCarrier, type TraceCarrier } from '../platform/telemetry/tracing.js';
import { isWritable } from './records/session.record.js';
import { SessionsRepository } from './store/sessions.repository.js';
import { SessionsService } from './sessions.service.js';
import { TaskWaiter, type TaskWatch } from './task-waiter.service.js';
import { isSettled, type TaskRecord } from './records/task.record.js';
import { TasksRepository } from './store/tasks.repository.js';
import type { AppendEventDto } from './http/dto/append-event.dto.js';
import type { EventRecord } from './records/event.record.js';
import { EventAppendRepository, type AppendResult, type WaitingTaskFound } from './store/event-append.repository.js';
import { EventsRepository } from './store/events.repository.js';
import { UnitOfWork, type ConversationStores } from './store/unit-of-work.js';

export interface AppendOutcome {
  event: EventRecord;
  task: TaskRecord;
  response?: EventRecord;
  /** false when this was a retry of an event already stored */
  created: boolean;
}

export interface AppendEventOptions {
  /** wait until the task has settled (or WAIT_TIMEOUT_MS passed) */
  wait?: boolean;
  /** id for the new task, so a caller can subscribe to it before it exists */
  taskId?: string;
  /**
   * Open a new task even when one waits for input: the waiting task is canceled (with a reason) instead of
   * being answered by this message, so it never stays open.
   */
  newTask?: boolean;
}

export interface EventPage {
  data: EventRecord[];
  nextAfter: number | null;
}

@Injectable()
export class EventsService {
  constructor(
    private readonly config: AppConfig,
    private readonly events: EventsRepository,
    private readonly appends: EventAppendRepository,
    private readonly sessions: SessionsRepository,
    private readonly sessionsService: SessionsService,
    private readonly tasks: TasksRepository,
    private readonly waiter: TaskWaiter,
    private readonly uow: UnitOfWork,
    private readonly metrics: MetricsService,
  ) {}

  /** Stores a user message and the task that answers it, atomically; optionally waits for the answer. */
  async append(
    auth: AuthContext,
    sessionId: string,
    input: AppendEventDto,
    options: AppendEventOptions = {},
  ): Promise<AppendOutcome> {
    assertCanWrite(auth);
    const replayed = input.id ? await this.replay(auth, sessionId, input) : undefined;
    if (replayed) return this.answer(replayed, options);
    // Waiting, the new task is watched before it exists: its settle cannot slip past, and no first read is needed.
    const taskId = options.taskId ?? randomUUID();
    const watch = options.wait ? this.waiter.watch(taskId) : undefined;
    try {
      return await this.answer(await this.post(auth, sessionId, input, { ...options, taskId }), options, watch);
    } finally {
      watch?.close();
    }
  }

  /**
   * Answers a task that is waiting for input (`input_required`): stores the user's message with that task's
   * id and queues the same task again, so the worker runs the agent on it and its next answer becomes the
   * task's response. A retry with the same client id and body returns the original; a task in any other
   * status is a 409.
   */
  async continueTask(
    auth: AuthContext,
    taskId: string,
    input: AppendEventDto,
    options: AppendEventOptions = {},
  ): Promise<AppendOutcome> {
    assertCanWrite(auth);
    const replayed = input.id ? await this.replayContinuation(auth, taskId, input) : undefined;
    return this.answer(replayed ?? (await this.resume(auth, taskId, input)), options);
  }

  async list(auth: AuthContext, sessionId: string, after: number, limit: number): Promise<EventPage> {
    const session = await this.sessions.findById(sessionId, agentReadScope(auth));
    if (!session || !seesAgent(auth, session.agentId)) throw Errors.sessionNotFound();
    const page = await fetchPage(
      limit,
      (take) => this.events.listAfter(sessionId, after, take),
      (event) => event.seq,
    );
    return { data: page.data, nextAfter: page.next };
  }

  /**
   * Opens a session with `agentId` for the caller and stores its first message and task in one transaction, so
   * a message that cannot be stored (text PostgreSQL refuses, say) leaves no empty session behind.
   */
  async appendToNewSession(
    auth: AuthContext,
    agentId: string,
    input: AppendEventDto,
    ids: { sessionId: string; taskId: string },
  ): Promise<AppendOutcome> {
    assertCanWrite(auth);
    const appended = await this.uow.transaction(async (stores) => {
      await this.sessionsService.createIn(stores, auth, { agentId }, ids.sessionId);
      const stored = await stores.appends.append(userEvent(ids.sessionId, input), {
        requireOpen: true,
        newTaskId: ids.taskId,
      });
      if (stored?.task) await traceTask(stores, stored.task.id, currentTraceCarrier());
      return stored;
    });
    if (!appended?.task) throw Errors.sessionNotFound();
    this.metrics.eventsAppended.inc({ role: 'user' });
    return { event: appended.event, task: appended.task, created: true };
  }

  /**
   * With `wait`, waits until the task has settled (or WAIT_TIMEOUT_MS passed); adds the answer when there is one.
   * `watch` watches the task the append created, since before the append (so the wait reads nothing first).
   */
  private async answer(outcome: AppendOutcome, options: AppendEventOptions, watch?: TaskWatch): Promise<AppendOutcome> {
    if (!options.wait || isSettled(outcome.task)) return this.withResponse(outcome);
    const timeoutMs = this.config.worker.waitTimeoutMs;
    const { task, response } = await this.waiter.waitWritten(
      outcome.task,
      timeoutMs,
      outcome.created ? watch : undefined,
    );
    const waited = { ...outcome, task: task ?? outcome.task };
    return response ? { ...waited, response } : this.withResponse(waited);
  }

  /**
   * A plain message answers the session's task that waits for input, if any (as a support chat would); the
   * append itself finds that task (appendUnlessWaiting), so a message that finds none costs one statement.
   */
  private async post(
    auth: AuthContext,
    sessionId: string,
    input: AppendEventDto,
    options: AppendEventOptions,
  ): Promise<AppendOutcome> {
    const inserted = await this.insert(auth, sessionId, input, options, !options.newTask);
    if (!('waitingTaskId' in inserted)) return inserted;
    try {
      return await this.resume(auth, inserted.waitingTaskId, input);
    } catch (error) {
      // Another message answered it first: this one starts a task of its own.
      if (!(error instanceof DomainError && error.code === 'task/not_awaiting_input')) throw error;
    }
    return (await this.insert(auth, sessionId, input, options, false)) as AppendOutcome;
  }

  private async insert(
    auth: AuthContext,
    sessionId: string,
    input: AppendEventDto,
    options: AppendEventOptions,
    yieldToWaiting: boolean,
  ): Promise<AppendOutcome | WaitingTaskFound> {
    let appended;
    try {
      appended = await this.store(sessionId, input, options, { writeScope: writeScope(auth), yieldToWaiting });
    } catch (error) {
      // Two retries of one client id raced: the loser answers like a retry.
      if (input.id && mapPrismaError(error)?.status === 409) {
        const replayed = await this.replay(auth, sessionId, input);
        if (replayed) return replayed;
      }
      throw error;
    }
    if (appended && 'waitingTaskId' in appended) return appended;
    if (!appended?.task) throw await this.whyNotAppended(auth, sessionId);
    this.metrics.eventsAppended.inc({ role: 'user' });
    return { event: appended.event, task: appended.task, created: true };
  }

  /**
   * The common case stays one statement; closing a waiting task, or storing the trace context with the task
   * (only while tracing is on), needs a transaction.
   */
  private async store(
    sessionId: string,
    input: AppendEventDto,
    options: AppendEventOptions,
    scope: { writeScope?: string; yieldToWaiting: boolean },
  ): Promise<AppendResult | WaitingTaskFound | undefined> {
    const newEvent = userEvent(sessionId, input);
    const appendOptions = { requireOpen: true, ownerId: scope.writeScope, newTaskId: options.taskId ?? randomUUID() };
    const trace = currentTraceCarrier();
    const write = (appends: EventAppendRepository) =>
      scope.yieldToWaiting
        ? appends.appendUnlessWaiting(newEvent, appendOptions)
        : appends.append(newEvent, appendOptions);
    if (!options.newTask && !trace) return write(this.appends);
    return this.uow.transaction(async (stores) => {
      const stored = await write(stores.appends);
      if (stored && 'waitingTaskId' in stored) return stored;
      if (stored?.task) await traceTask(stores, stored.task.id, trace);
      if (stored && options.newTask)
        await stores.tasks.cancelWaiting(sessionId, 'the user started a new task instead of answering');
      return stored;
    });
  }

  /** One transaction: lock the task, append the follow-up with its id, queue it again (notified on commit). */
  private async resume(auth: AuthContext, taskId: string, input: AppendEventDto): Promise<AppendOutcome> {
    const found = await this.tasks.findById(taskId, writeScope(auth));
    if (!found) throw Errors.taskNotFound();
    let resumed: Omit<AppendOutcome, 'created'> | undefined;
    try {
      resumed = await this.uow.transaction(async ({ appends, tasks }) => {
        const task = await tasks.lock(taskId);
        if (!task) throw Errors.taskNotFound();
        if (task.status !== 'input_required') throw Errors.taskNotAwaitingInput(task.status);
        const newEvent = { ...userEvent(task.sessionId, input), taskId };
        const appended = await appends.append(newEvent, { requireOpen: true, ownerId: writeScope(auth) });
        if (!appended) return undefined;
        const trigger = { eventId: appended.event.id, seq: appended.event.seq, turn: appended.turn };
        const resubmitted = await tasks.resubmit(taskId, trigger);
        if (!resubmitted) throw Errors.taskNotAwaitingInput(task.status);
        await traceTask({ tasks }, taskId, currentTraceCarrier());
        return { event: appended.event, task: resubmitted };
      });
    } catch (error) {
      // Two retries of one client id raced: the loser answers like a retry.
      const replayed =
        input.id && mapPrismaError(error)?.status === 409
          ? await this.replayContinuation(auth, taskId, input)
          : undefined;
      if (replayed) return replayed;
      throw error;
    }
    if (!resumed) throw await this.whyNotAppended(auth, found.sessionId);
    this.metrics.eventsAppended.inc({ role: 'user' });
    return { ...resumed, created: true };
  }

  /**
   * A follow-up with the client's id exists in the task's session: the same body for the same task is a retry,
   * else 409. Undefined (carry on as for a new id) when the task is not the caller's.
   */
  private async replayContinuation(
    auth: AuthContext,
    taskId: string,
    input: AppendEventDto,
  ): Promise<AppendOutcome | undefined> {
    const task = await this.tasks.findById(taskId, writeScope(auth));
    const existing = task && (await this.events.findById(task.sessionId, input.id!));
    if (!task || !existing) return undefined;
    if (existing.taskId !== taskId) throw Errors.eventIdConflict();
    const replayed = await this.replay(auth, task.sessionId, input);
    return replayed && { ...replayed, task: (await this.tasks.findById(taskId)) ?? replayed.task };
  }

  /**
   * Event ids are idempotency keys scoped to the session: when this session (the caller's) holds the client's
   * id, the same body is a retry (returns the original), else 409. Undefined when the id is new here, or the
   * session is not the caller's, so that the append answers as it would for any new id.
   */
  private async replay(
    auth: AuthContext,
    sessionId: string,
    input: AppendEventDto,
  ): Promise<AppendOutcome | undefined> {
    const session = await this.sessions.findById(sessionId, writeScope(auth));
    const existing = session && (await this.events.findById(sessionId, input.id!));
    if (!existing) return undefined;
    const same =
      existing.role === 'user' &&
      canonicalJson(existing.parts) === canonicalJson(input.parts) &&
      canonicalJson(existing.metadata) === canonicalJson(input.metadata ?? {});
    if (!same) throw Errors.eventIdConflict();
    // A continued task's trigger is its latest follow-up; its earlier user events still carry its id.
    const task =
      (await this.tasks.findByTriggerEvent(sessionId, existing.id)) ??
      (existing.taskId ? await this.tasks.findById(existing.taskId) : undefined);
    if (!task) throw Errors.eventIdConflict();
    return { event: existing, task, created: false };
  }

  private async whyNotAppended(auth: AuthContext, sessionId: string): Promise<Error> {
    const session = await this.sessions.findById(sessionId, writeScope(auth));
    if (!session) return Errors.sessionNotFound();
    if (session.status === 'closed' || session.status === 'expired') return Errors.sessionClosed(session.status);
    if (!isWritable(session)) {
      await this.sessionsService.expire(sessionId);
      return Errors.sessionClosed('expired');
    }
    return Errors.sessionClosed(session.status);
  }

  private async withResponse(outcome: AppendOutcome): Promise<AppendOutcome> {
    const responseId = outcome.task.responseEventId;
    if (!responseId) return outcome;
    return { ...outcome, response: await this.events.findById(outcome.task.sessionId, responseId) };
  }
}

/** Tracing on: the task keeps the request's trace context, so the worker's span joins the request's trace. */
async function traceTask(stores: Pick<ConversationStores, 'tasks'>, taskId: string, trace?: TraceCarrier) {
  if (trace) await stores.tasks.setTraceContext(taskId, { ...trace });
}

function userEvent(sessionId: string, input: AppendEventDto) {
  const { parts, metadata = {} } = input;
  return { id: input.id ?? randomUUID(), sessionId, type: 'message' as const, role: 'user' as const, parts, metadata };
}
