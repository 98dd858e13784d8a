import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { assertCanWrite, ownerScope, writeScope, type AuthContext } from '../identity/auth/auth-context.js';
import { canonicalJson } from '../platform/json/canonical-json.js';
import { fetchPage } from '../platform/http/pagination.js';
import { Errors } from '../platform/errors/domain-error.js';
import { mapPrismaError } from '../platform/errors/prisma-error.mapper.js';
import { AppConfig } from '../platform/config/app-config.js';
import { PrismaService } from '../platform/database/prisma.service.js';
import { isWritable } from './records/session.record.js';
import { SessionsRepository } from './store/sessions.repository.js';
import { SessionsService } from './sessions.service.js';
import { TaskWaiter } from './task-waiter.service.js';
import { isSettled, type TaskRecord } from './records/task.record.js';
import { TasksRepository } from './store/tasks.repository.js';
import type { AppendEventDto } from './http/dto/append-event.dto.js';
import type { EventRecord } from './records/event.record.js';
import { EventsRepository } from './store/events.repository.js';

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
    private readonly sessions: SessionsRepository,
    private readonly sessionsService: SessionsService,
    private readonly tasks: TasksRepository,
    private readonly waiter: TaskWaiter,
    private readonly prisma: PrismaService,
  ) {}

  /** Stores a user message and the task that answers it, atomically; optionally waits for the answer. */
  async append(auth: AuthContext, sessionId: string, input: AppendEventDto, options: AppendEventOptions = {}): Promise<AppendOutcome> {
    assertCanWrite(auth);
    const outcome = input.id
      ? ((await this.replay(auth, sessionId, input)) ?? (await this.insert(auth, sessionId, input, options.taskId)))
      : await this.insert(auth, sessionId, input, options.taskId);
    if (!options.wait || isSettled(outcome.task)) return this.withResponse(outcome);
    const task = await this.waiter.waitSettled(outcome.task.id, this.config.worker.waitTimeoutMs);
    return this.withResponse({ ...outcome, task: task ?? outcome.task });
  }

  /**
   * Answers a task that is waiting for input (`input_required`): stores the user's message with that task's
   * id and queues the same task again, so the worker runs the agent on it and its next answer becomes the
   * task's response. A retry with the same client id and body returns the original; a task in any other
   * status is a 409.
   */
  async continueTask(auth: AuthContext, taskId: string, input: AppendEventDto, options: AppendEventOptions = {}): Promise<AppendOutcome> {
    assertCanWrite(auth);
    const outcome = input.id
      ? ((await this.replayContinuation(auth, taskId, input)) ?? (await this.resume(auth, taskId, input)))
      : await this.resume(auth, taskId, input);
    if (!options.wait || isSettled(outcome.task)) return this.withResponse(outcome);
    const task = await this.waiter.waitSettled(outcome.task.id, this.config.worker.waitTimeoutMs);
    return this.withResponse({ ...outcome, task: task ?? outcome.task });
  }

  async list(auth: AuthContext, sessionId: string, after: number, limit: number): Promise<EventPage> {
    const session = await this.sessions.findById(sessionId, ownerScope(auth));
    if (!session) throw Errors.sessionNotFound();
    const page = await fetchPage(limit, (take) => this.events.listAfter(sessionId, after, take), (event) => event.seq);
    return { data: page.data, nextAfter: page.next };
  }

  private async insert(auth: AuthContext, sessionId: string, input: AppendEventDto, presetTaskId?: string): Promise<AppendOutcome> {
    const eventId = input.id ?? randomUUID();
    const taskId = presetTaskId ?? randomUUID();
    const newEvent = {
      id: eventId,
      sessionId,
      type: 'message' as const,
      role: 'user' as const,
      parts: input.parts,
      metadata: input.metadata ?? {},
    };
    let appended;
    try {
      appended = await this.events.append(newEvent, { requireOpen: true, ownerId: writeScope(auth), newTaskId: taskId });
    } catch (error) {
      // Two retries of one client id raced: the loser answers like a retry.
      if (input.id && mapPrismaError(error)?.status === 409) {
        const replayed = await this.replay(auth, sessionId, input);
        if (replayed) return replayed;
      }
      throw error;
    }
    if (!appended) throw await this.whyNotAppended(auth, sessionId);
    const { event, agentId, turn } = appended;
    const task: TaskRecord = {
      id: taskId, sessionId, agentId, triggerEventId: event.id, triggerSeq: event.seq, turn,
      responseEventId: null, status: 'submitted', attempts: 0, error: null,
      createdAt: event.createdAt, updatedAt: event.createdAt, startedAt: null, finishedAt: null,
    };
    return { event, task, created: true };
  }

  /** One transaction: lock the task, append the follow-up with its id, queue it again (notified on commit). */
  private async resume(auth: AuthContext, taskId: string, input: AppendEventDto): Promise<AppendOutcome> {
    const found = await this.tasks.findById(taskId, writeScope(auth));
    if (!found) throw Errors.taskNotFound();
    let resumed: Omit<AppendOutcome, 'created'> | undefined;
    try {
      resumed = await this.prisma.$transaction(async (tx) => {
        const task = await this.tasks.lock(taskId, tx);
        if (!task) throw Errors.taskNotFound();
        if (task.status !== 'input_required') throw Errors.taskNotAwaitingInput(task.status);
        const newEvent = { id: input.id ?? randomUUID(), sessionId: task.sessionId, type: 'message' as const, role: 'user' as const, parts: input.parts, metadata: input.metadata ?? {}, taskId };
        const appended = await this.events.append(newEvent, { requireOpen: true, ownerId: writeScope(auth) }, tx);
        if (!appended) return undefined;
        const trigger = { eventId: appended.event.id, seq: appended.event.seq, turn: appended.turn };
        return { event: appended.event, task: await this.tasks.resubmit(taskId, trigger, tx) };
      });
    } catch (error) {
      // Two retries of one client id raced: the loser answers like a retry.
      const replayed = input.id && mapPrismaError(error)?.status === 409 ? await this.replayContinuation(auth, taskId, input) : undefined;
      if (replayed) return replayed;
      throw error;
    }
    if (!resumed) throw await this.whyNotAppended(auth, found.sessionId);
    return { ...resumed, created: true };
  }

  /** A follow-up with the client's id exists: the same body for the same task is a retry, else 409. */
  private async replayContinuation(auth: AuthContext, taskId: string, input: AppendEventDto): Promise<AppendOutcome | undefined> {
    const existing = await this.events.findById(input.id!);
    if (!existing) return undefined;
    if (existing.taskId !== taskId) throw Errors.eventIdConflict();
    const replayed = await this.replay(auth, existing.sessionId, input);
    return replayed && { ...replayed, task: (await this.tasks.findById(taskId)) ?? replayed.task };
  }

  /** An event with the client's id exists: the same body is a retry (returns the original), else 409. */
  private async replay(auth: AuthContext, sessionId: string, input: AppendEventDto): Promise<AppendOutcome | undefined> {
    const existing = await this.events.findById(input.id!);
    if (!existing) return undefined;
    const session = await this.sessions.findById(existing.sessionId, writeScope(auth));
    const same =
      session !== undefined &&
      existing.sessionId === sessionId &&
      existing.role === 'user' &&
      canonicalJson(existing.parts) === canonicalJson(input.parts) &&
      canonicalJson(existing.metadata) === canonicalJson(input.metadata ?? {});
    if (!same) throw Errors.eventIdConflict();
    // A continued task's trigger is its latest follow-up; its earlier user events still carry its id.
    const task = (await this.tasks.findByTriggerEvent(existing.id)) ?? (existing.taskId ? await this.tasks.findById(existing.taskId) : undefined);
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
    return { ...outcome, response: await this.events.findById(responseId) };
  }
}
