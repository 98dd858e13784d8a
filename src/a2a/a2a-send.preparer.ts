import { Injectable } from '@nestjs/common';
import { Role, type Message, type SendMessageRequest, type Task } from '@a2a-js/sdk';
import { RequestMalformedError, TaskNotFoundError, UnsupportedOperationError } from '@a2a-js/sdk/errors';
import type { ServerCallContext } from '@a2a-js/sdk/server';
import { isUUID } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { writeScope, type AuthContext } from '../identity/auth/auth-context.js';
import { isWritable } from '../conversation/records/session.record.js';
import { isSettled } from '../conversation/records/task.record.js';
import { ConversationReader } from '../conversation/conversation.reader.js';
import { EventsService, type AppendOutcome } from '../conversation/events.service.js';
import type { AppendEventDto } from '../conversation/http/dto/append-event.dto.js';
import { asA2a } from './a2a-error.mapper.js';
import { toAppendInput } from './a2a-input.mapper.js';
import { A2aLiveFeeds, type LiveTaskFeed } from './a2a-live-feed.service.js';
import { A2aTaskReader, pinTask } from './a2a-task.store.js';
import { authOf } from './a2a-user.js';

const TURN_KEY = 'agentSessions.storedTurn';

/** A message stored before the SDK runs it: its outcome, the task as stored, and the feed that follows it. */
export interface StoredTurn {
  outcome: AppendOutcome;
  snapshot: Task;
  feed: LiveTaskFeed;
}

interface Target {
  sessionId: string;
  taskId: string;
  /** the message answers a task waiting for input */
  continues: boolean;
  /** the session is opened with this message */
  isNew: boolean;
}

export function storedTurn(context: ServerCallContext): StoredTurn | undefined {
  return context.state.get(TURN_KEY) as StoredTurn | undefined;
}

/** A resend of a message whose task has already ended: there is nothing left to run or follow. */
export function isFinishedResend({ outcome }: Pick<StoredTurn, 'outcome'>): boolean {
  return !outcome.created && isSettled(outcome.task);
}

/**
 * Checks and stores an incoming message before the SDK starts a task for it, so that every refusal (invalid
 * message, unknown or closed context, a reused messageId, text the database refuses) is a protocol error and
 * never a failed task or an empty session. The contextId must be one of the caller's sessions with this agent
 * (none: a session is opened together with the message, in one transaction), a taskId the caller's task that
 * waits for input. Other users' sessions and tasks are reported as not found.
 */
@Injectable()
export class A2aSendPreparer {
  constructor(
    private readonly events: EventsService,
    private readonly reader: ConversationReader,
    private readonly tasks: A2aTaskReader,
    private readonly feeds: A2aLiveFeeds,
  ) {}

  async prepare(
    agentId: string,
    params: SendMessageRequest,
    context: ServerCallContext,
  ): Promise<StoredTurn | undefined> {
    const message = params.message;
    if (!message?.messageId) return undefined; // the SDK reports the malformed request
    if (message.role !== Role.ROLE_USER) {
      const problem =
        message.role === Role.ROLE_AGENT
          ? 'only user messages can be sent to an agent'
          : 'message.role is required (ROLE_USER)';
      throw new RequestMalformedError(problem);
    }
    const auth = authOf(context);
    const input = toAppendInput(message);
    const target = await this.target(agentId, message, auth);
    const turn = await this.store(agentId, target, input, auth);
    context.state.set(TURN_KEY, turn);
    pinTask(context, turn.snapshot);
    message.contextId = turn.snapshot.contextId;
    message.taskId = turn.snapshot.id;
    return turn;
  }

  /** Where the message goes: the ids of its session and task (new ones for a new session). */
  private async target(agentId: string, message: Message, auth: AuthContext): Promise<Target> {
    if (message.taskId)
      return { ...(await this.checkTask(agentId, message.taskId, auth)), continues: true, isNew: false };
    if (message.contextId) {
      return {
        sessionId: await this.checkSession(agentId, message.contextId, auth),
        taskId: randomUUID(),
        continues: false,
        isNew: false,
      };
    }
    return { sessionId: randomUUID(), taskId: randomUUID(), continues: false, isNew: true };
  }

  /** Listens to the task before storing it, so no live update falls in between. */
  private async store(agentId: string, target: Target, input: AppendEventDto, auth: AuthContext): Promise<StoredTurn> {
    let feed = this.feeds.open(target.taskId, target.sessionId);
    try {
      const outcome = await asA2a(() => {
        if (target.continues) return this.events.continueTask(auth, target.taskId, input);
        if (target.isNew) return this.events.appendToNewSession(auth, agentId, input, target);
        // A2A continues a task only by naming it: a message without a taskId is a new task.
        return this.events.append(auth, target.sessionId, input, { taskId: target.taskId, newTask: true });
      });
      if (outcome.task.id !== target.taskId) {
        // A resend of a message already stored: follow the task that message created.
        feed.close();
        feed = this.feeds.open(outcome.task.id, outcome.task.sessionId);
      }
      // As stored: the task and the events up to this message, whatever the worker did since (a resend of a
      // message whose task has settled gets the task as it ended).
      const settled = isFinishedResend({ outcome });
      const snapshot = await this.tasks.snapshot(outcome.task, settled ? undefined : outcome.event.seq);
      if (settled) feed.close();
      return { outcome, snapshot, feed };
    } catch (error) {
      feed.close();
      throw error;
    }
  }

  private async checkTask(agentId: string, taskId: string, auth: AuthContext) {
    const task = isUUID(taskId) ? await this.reader.task(taskId, writeScope(auth)) : undefined;
    if (!task || task.agentId !== agentId) throw new TaskNotFoundError(`Task not found: ${taskId}`);
    if (task.status !== 'input_required') {
      throw new UnsupportedOperationError(
        `task ${taskId} is ${task.status}; only a task in input-required accepts another message`,
      );
    }
    return { sessionId: task.sessionId, taskId };
  }

  private async checkSession(agentId: string, contextId: string, auth: AuthContext): Promise<string> {
    const session = isUUID(contextId) ? await this.reader.session(contextId, writeScope(auth)) : undefined;
    if (!session || session.agentId !== agentId) throw new TaskNotFoundError(`context not found: ${contextId}`);
    if (!isWritable(session))
      throw new UnsupportedOperationError(`session ${contextId} is closed and accepts no new messages`);
    return session.id;
  }
}
