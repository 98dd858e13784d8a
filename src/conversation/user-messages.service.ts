import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { writeScope, type AuthContext } from '../identity/auth/auth-context.js';
import { DomainError, Errors } from '../platform/errors/domain-error.js';
import { mapPrismaError } from '../platform/errors/prisma-error.mapper.js';
import { MetricsService } from '../platform/metrics/metrics.service.js';
import { currentTraceCarrier, type TraceCarrier } from '../platform/telemetry/tracing.js';
import type { AppendEventDto } from './http/dto/append-event.dto.js';
import type { NewEvent } from './records/event.record.js';
import { isWritable } from './records/session.record.js';
import { MessageRetriesService, type StoredMessage } from './message-retries.service.js';
import { SessionsService } from './sessions.service.js';
import {
  EventAppendRepository,
  type AppendOptions,
  type AppendResult,
  type WaitingTaskFound,
} from './store/event-append.repository.js';
import { SessionsRepository } from './store/sessions.repository.js';
import { TasksRepository } from './store/tasks.repository.js';
import { UnitOfWork, type ConversationStores } from './store/unit-of-work.js';

export interface PostOptions {
  /** id for the new task, so a caller can subscribe to it before it exists */
  taskId?: string;
  /**
   * Open a new task even when one waits for input: the waiting task is canceled (with a reason) instead of
   * being answered by this message, so it never stays open.
   */
  newTask?: boolean;
}

/**
 * Stores users' messages: a new turn, the answer to a task waiting for input, the first message of a new session.
 * EventsService decides when to wait for the answer; MessageRetriesService recognizes retries.
 */
@Injectable()
export class UserMessagesService {
  constructor(
    private readonly appends: EventAppendRepository,
    private readonly retries: MessageRetriesService,
    private readonly sessions: SessionsRepository,
    private readonly sessionsService: SessionsService,
    private readonly tasks: TasksRepository,
    private readonly uow: UnitOfWork,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * A plain message answers the session's task that waits for input, if any (as a support chat would); the
   * append itself finds that task (appendUnlessWaiting), so a message that finds none costs one statement.
   */
  async post(
    auth: AuthContext,
    sessionId: string,
    input: AppendEventDto,
    options: PostOptions,
  ): Promise<StoredMessage> {
    if (options.newTask) return this.insertTurn(auth, sessionId, input, options);
    const inserted = await this.insertUnlessWaiting(auth, sessionId, input, options.taskId);
    if (!('waitingTaskId' in inserted)) return inserted;
    try {
      return await this.resume(auth, inserted.waitingTaskId, input);
    } catch (error) {
      // Another message answered it first: this one starts a task of its own.
      if (!(error instanceof DomainError && error.code === 'task/not_awaiting_input')) throw error;
    }
    return this.insertTurn(auth, sessionId, input, options);
  }

  /**
   * Answers a task that is waiting for input: a retry with the same client id and body returns the original;
   * otherwise the message is stored with the task's id and the task is queued again.
   */
  async continueTask(auth: AuthContext, taskId: string, input: AppendEventDto): Promise<StoredMessage> {
    const replayed = input.id ? await this.retries.replayContinuation(auth, taskId, input) : undefined;
    return replayed ?? (await this.resume(auth, taskId, input));
  }

  /** Opens the session and stores its first message and task in one transaction. */
  async storeInNewSession(
    auth: AuthContext,
    agentId: string,
    input: AppendEventDto,
    ids: { sessionId: string; taskId: string },
  ): Promise<StoredMessage> {
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

  /** Stores the message as a new turn; the loser of two retries racing answers like a retry. */
  private async insertTurn(
    auth: AuthContext,
    sessionId: string,
    input: AppendEventDto,
    options: PostOptions,
  ): Promise<StoredMessage> {
    let appended: AppendResult | undefined;
    try {
      appended = await this.storeTurn(sessionId, input, options, writeScope(auth));
    } catch (error) {
      return this.replayRace(auth, sessionId, input, error);
    }
    return this.created(auth, sessionId, appended);
  }

  /** Like insertTurn, unless the session has a task waiting for input: then that task, for the message to answer. */
  private async insertUnlessWaiting(
    auth: AuthContext,
    sessionId: string,
    input: AppendEventDto,
    taskId: string | undefined,
  ): Promise<StoredMessage | WaitingTaskFound> {
    let stored: AppendResult | WaitingTaskFound | undefined;
    try {
      stored = await this.storeUnlessWaiting(sessionId, input, taskId, writeScope(auth));
    } catch (error) {
      return this.replayRace(auth, sessionId, input, error);
    }
    return stored && 'waitingTaskId' in stored ? stored : this.created(auth, sessionId, stored);
  }

  /** Two retries of one client id raced: the loser answers like a retry. Any other failure stands. */
  private async replayRace(
    auth: AuthContext,
    sessionId: string,
    input: AppendEventDto,
    error: unknown,
  ): Promise<StoredMessage> {
    const replayed =
      input.id && mapPrismaError(error)?.status === 409 ? await this.retries.replay(auth, sessionId, input) : undefined;
    if (replayed) return replayed;
    throw error;
  }

  private async created(auth: AuthContext, sessionId: string, appended?: AppendResult): Promise<StoredMessage> {
    if (!appended?.task) throw await this.whyNotAppended(auth, sessionId);
    this.metrics.eventsAppended.inc({ role: 'user' });
    return { event: appended.event, task: appended.task, created: true };
  }

  /**
   * The message as a new turn with a task of its own. The common case stays one statement; closing the task that
   * waits for input (`newTask`), or storing the trace context with the task (only while tracing is on), needs a
   * transaction.
   */
  private async storeTurn(
    sessionId: string,
    input: AppendEventDto,
    options: PostOptions,
    ownerId: string | undefined,
  ): Promise<AppendResult | undefined> {
    const event = userEvent(sessionId, input);
    const appendOptions = newTurnOptions(ownerId, options.taskId);
    const trace = currentTraceCarrier();
    if (!options.newTask && !trace) return this.appends.append(event, appendOptions);
    return this.uow.transaction(async (stores) => {
      const stored = await stores.appends.append(event, appendOptions);
      if (stored?.task) await traceTask(stores, stored.task.id, trace);
      if (stored && options.newTask)
        await stores.tasks.cancelWaiting(sessionId, 'the user started a new task instead of answering');
      return stored;
    });
  }

  /** Like storeTurn, unless the session has a task waiting for input: then nothing is stored and that task found. */
  private async storeUnlessWaiting(
    sessionId: string,
    input: AppendEventDto,
    taskId: string | undefined,
    ownerId: string | undefined,
  ): Promise<AppendResult | WaitingTaskFound | undefined> {
    const event = userEvent(sessionId, input);
    const appendOptions = newTurnOptions(ownerId, taskId);
    const trace = currentTraceCarrier();
    if (!trace) return this.appends.appendUnlessWaiting(event, appendOptions);
    return this.uow.transaction(async (stores) => {
      const stored = await stores.appends.appendUnlessWaiting(event, appendOptions);
      if (stored && 'waitingTaskId' in stored) return stored;
      if (stored?.task) await traceTask(stores, stored.task.id, trace);
      return stored;
    });
  }

  /** One transaction: lock the task, append the follow-up with its id, queue it again (notified on commit). */
  private async resume(auth: AuthContext, taskId: string, input: AppendEventDto): Promise<StoredMessage> {
    const found = await this.tasks.findById(taskId, writeScope(auth));
    if (!found) throw Errors.taskNotFound();
    let resumed: Omit<StoredMessage, 'created'> | undefined;
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
          ? await this.retries.replayContinuation(auth, taskId, input)
          : undefined;
      if (replayed) return replayed;
      throw error;
    }
    if (!resumed) throw await this.whyNotAppended(auth, found.sessionId);
    this.metrics.eventsAppended.inc({ role: 'user' });
    return { ...resumed, created: true };
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
}

/** Tracing on: the task keeps the request's trace context, so the worker's span joins the request's trace. */
async function traceTask(stores: Pick<ConversationStores, 'tasks'>, taskId: string, trace?: TraceCarrier) {
  if (trace) await stores.tasks.setTraceContext(taskId, { ...trace });
}

function userEvent(sessionId: string, input: AppendEventDto): NewEvent {
  const { parts, metadata = {} } = input;
  return { id: input.id ?? randomUUID(), sessionId, type: 'message', role: 'user', parts, metadata };
}

/** A user's message that opens a turn: refused unless the session is open (and the caller's, with `ownerId`). */
function newTurnOptions(ownerId: string | undefined, taskId: string = randomUUID()): AppendOptions {
  return { requireOpen: true, ownerId, newTaskId: taskId };
}
