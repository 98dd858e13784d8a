import { Injectable } from '@nestjs/common';
import { writeScope, type AuthContext } from '../identity/auth/auth-context.js';
import { Errors } from '../platform/errors/domain-error.js';
import { canonicalJson } from '../platform/json/canonical-json.js';
import type { AppendEventDto } from './http/dto/append-event.dto.js';
import type { EventRecord } from './records/event.record.js';
import type { TaskRecord } from './records/task.record.js';
import { EventsRepository } from './store/events.repository.js';
import { SessionsRepository } from './store/sessions.repository.js';
import { TasksRepository } from './store/tasks.repository.js';

/** A user's message as stored, with the task that answers it. */
export interface StoredMessage {
  event: EventRecord;
  task: TaskRecord;
  /** false when this was a retry of an event already stored */
  created: boolean;
}

/**
 * Event ids are idempotency keys scoped to the session: a message whose client-chosen id is already stored is a
 * retry (answered with the original) when its body is the same, else a 409.
 */
@Injectable()
export class MessageRetriesService {
  constructor(
    private readonly events: EventsRepository,
    private readonly sessions: SessionsRepository,
    private readonly tasks: TasksRepository,
  ) {}

  /**
   * When this session (the caller's) holds the client's id, the same body is a retry (returns the original), else
   * 409. Undefined when the id is new here, or the session is not the caller's, so that the append answers as it
   * would for any new id.
   */
  async replay(auth: AuthContext, sessionId: string, input: AppendEventDto): Promise<StoredMessage | undefined> {
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

  /**
   * A follow-up with the client's id exists in the task's session: the same body for the same task is a retry,
   * else 409. Undefined (carry on as for a new id) when the task is not the caller's.
   */
  async replayContinuation(
    auth: AuthContext,
    taskId: string,
    input: AppendEventDto,
  ): Promise<StoredMessage | undefined> {
    const task = await this.tasks.findById(taskId, writeScope(auth));
    const existing = task && (await this.events.findById(task.sessionId, input.id!));
    if (!task || !existing) return undefined;
    if (existing.taskId !== taskId) throw Errors.eventIdConflict();
    const replayed = await this.replay(auth, task.sessionId, input);
    return replayed && { ...replayed, task: (await this.tasks.findById(taskId)) ?? replayed.task };
  }
}
