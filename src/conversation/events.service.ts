import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { agentReadScope, assertCanWrite, seesAgent, type AuthContext } from '../identity/auth/auth-context.js';
import { fetchPage } from '../platform/http/pagination.js';
import { Errors } from '../platform/errors/domain-error.js';
import { AppConfig } from '../platform/config/app-config.js';
import { SessionsRepository } from './store/sessions.repository.js';
import { TaskWaiter, type TaskWatch } from './task-waiter.service.js';
import { isSettled } from './records/task.record.js';
import type { AppendEventDto } from './http/dto/append-event.dto.js';
import type { EventRecord } from './records/event.record.js';
import { EventsRepository } from './store/events.repository.js';
import { MessageRetriesService, type StoredMessage } from './message-retries.service.js';
import { UserMessagesService, type PostOptions } from './user-messages.service.js';

export interface AppendOutcome extends StoredMessage {
  response?: EventRecord;
}

export interface AppendEventOptions extends PostOptions {
  /** wait until the task has settled (or WAIT_TIMEOUT_MS passed) */
  wait?: boolean;
}

export interface EventPage {
  data: EventRecord[];
  nextAfter: number | null;
}

/**
 * A session's events: a user's message in (stored by UserMessagesService), with or without waiting for the answer;
 * the history out.
 */
@Injectable()
export class EventsService {
  constructor(
    private readonly config: AppConfig,
    private readonly messages: UserMessagesService,
    private readonly retries: MessageRetriesService,
    private readonly events: EventsRepository,
    private readonly sessions: SessionsRepository,
    private readonly waiter: TaskWaiter,
  ) {}

  /** Stores a user message and the task that answers it, atomically; optionally waits for the answer. */
  async append(
    auth: AuthContext,
    sessionId: string,
    input: AppendEventDto,
    options: AppendEventOptions = {},
  ): Promise<AppendOutcome> {
    assertCanWrite(auth);
    const replayed = input.id ? await this.retries.replay(auth, sessionId, input) : undefined;
    if (replayed) return this.answer(replayed, options);
    // Waiting, the new task is watched before it exists: its settle cannot slip past, and no first read is needed.
    const taskId = options.taskId ?? randomUUID();
    const watch = options.wait ? this.waiter.watch(taskId) : undefined;
    try {
      const posted = await this.messages.post(auth, sessionId, input, { ...options, taskId });
      return await this.answer(posted, options, watch);
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
    return this.answer(await this.messages.continueTask(auth, taskId, input), options);
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
    return this.messages.storeInNewSession(auth, agentId, input, ids);
  }

  /**
   * With `wait`, waits until the task has settled (or WAIT_TIMEOUT_MS passed); adds the answer when there is one.
   * `watch` watches the task the append created, since before the append (so the wait reads nothing first).
   */
  private async answer(outcome: StoredMessage, options: AppendEventOptions, watch?: TaskWatch): Promise<AppendOutcome> {
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

  private async withResponse(outcome: StoredMessage): Promise<AppendOutcome> {
    const responseId = outcome.task.responseEventId;
    if (!responseId) return outcome;
    return { ...outcome, response: await this.events.findById(outcome.task.sessionId, responseId) };
  }
}
