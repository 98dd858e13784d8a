import { Injectable } from '@nestjs/common';
import {
  TaskState,
  type AgentCard,
  type CancelTaskRequest,
  type GetTaskRequest,
  type ListTasksRequest,
  type ListTasksResponse,
  type Message,
  type SendMessageRequest,
  type StreamResponse,
  type SubscribeToTaskRequest,
  type Task,
} from '@a2a-js/sdk';
import {
  ExtendedAgentCardNotConfiguredError,
  RequestMalformedError,
  TaskNotFoundError,
  UnsupportedOperationError,
} from '@a2a-js/sdk/errors';
import { DefaultRequestHandler, type ServerCallContext } from '@a2a-js/sdk/server';
import { isUUID } from 'class-validator';
import { AccessLogService } from '../identity/access-log/access-log.service.js';
import type { AgentDescriptor } from '../runtime/agents/agent.interface.js';
import { TasksService } from '../conversation/tasks.service.js';
import { isTerminalState } from '../conversation/records/a2a-parts.js';
import { A2aAgentCards } from './a2a-agent-card.builder.js';
import { asA2a } from './a2a-error.mapper.js';
import { A2aLiveFeeds } from './a2a-live-feed.service.js';
import { checkHistoryLength, requireTimestamp } from './a2a-params.js';
import { A2aSendPreparer, isFinishedResend, type StoredTurn } from './a2a-send.preparer.js';
import { A2aSessionExecutor } from './a2a-session.executor.js';
import { A2aTaskReader, SessionTaskStore } from './a2a-task.store.js';
import { OutboxPushNotificationSender, PgPushNotificationStore } from './a2a-push.store.js';
import { PushConfigsService } from '../delivery/push-configs.service.js';
import { authOf, callOf } from './a2a-user.js';

/** The services an A2aRequestHandler works with; one instance shared by every agent's handler. */
@Injectable()
export class A2aHandlerDeps {
  constructor(
    readonly cards: A2aAgentCards,
    readonly preparer: A2aSendPreparer,
    readonly reader: A2aTaskReader,
    readonly feeds: A2aLiveFeeds,
    readonly tasks: TasksService,
    readonly executor: A2aSessionExecutor,
    readonly accessLog: AccessLogService,
    readonly pushConfigs: PushConfigsService,
  ) {}
}

/**
 * The SDK's DefaultRequestHandler for one configured agent, on the database-backed task store and executor.
 * It keeps the SDK's sending, getting and listing, and adds what a service with shared, persistent tasks
 * needs: messages are checked and stored before a task starts, cancel goes through TasksService.cancel (so
 * it works on any instance, and a second cancel is "not cancelable"), resubscribe follows the stored task
 * through PostgreSQL notifications, push notification configs are kept in PostgreSQL and delivered from the
 * database's outbox (A2aPushRenderer), parameters the SDK lets through are checked, and reviewer and admin reads
 * are recorded in the access log when they start.
 */
export class A2aRequestHandler extends DefaultRequestHandler {
  private card?: { baseUrl: string; card: AgentCard };

  constructor(
    private readonly descriptor: AgentDescriptor,
    private readonly deps: A2aHandlerDeps,
  ) {
    // No bus outlives its request: a task waiting for input is continued and followed through the database.
    super(
      deps.cards.build(descriptor),
      new SessionTaskStore(deps.reader, descriptor.id),
      deps.executor,
      undefined,
      new PgPushNotificationStore(deps.pushConfigs),
      new OutboxPushNotificationSender(),
      undefined,
      undefined,
      { keepBusAliveStates: [] },
    );
  }

  override async getAgentCard(): Promise<AgentCard> {
    const baseUrl = this.deps.cards.baseUrl();
    if (this.card?.baseUrl !== baseUrl) this.card = { baseUrl, card: this.deps.cards.build(this.descriptor, baseUrl) };
    return this.card.card;
  }

  /** This service has no extended card to give (its card is public and complete). */
  override async getAuthenticatedExtendedAgentCard(): Promise<AgentCard> {
    throw new ExtendedAgentCardNotConfiguredError('this agent has no extended agent card; its public card is complete');
  }

  override async sendMessage(params: SendMessageRequest, context: ServerCallContext): Promise<Message | Task> {
    const turn = await this.prepare(params, context);
    if (turn && isFinishedResend(turn)) return turn.snapshot;
    try {
      return await super.sendMessage(params, context);
    } catch (error) {
      turn?.feed.close();
      throw error;
    }
  }

  override async *sendMessageStream(
    params: SendMessageRequest,
    context: ServerCallContext,
  ): AsyncGenerator<StreamResponse, void, undefined> {
    const turn = await this.prepare(params, context);
    if (turn && isFinishedResend(turn)) return yield { payload: { $case: 'task', value: turn.snapshot } };
    try {
      yield* super.sendMessageStream(params, context);
    } finally {
      turn?.feed.close();
    }
  }

  override async getTask(params: GetTaskRequest, context: ServerCallContext): Promise<Task> {
    checkHistoryLength(params.historyLength);
    const task = await super.getTask(params, context);
    await this.recordRead(context, 'GetTask', task.contextId, task.id);
    return task;
  }

  override async listTasks(params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    checkHistoryLength(params.historyLength);
    if (params.statusTimestampAfter) requireTimestamp(params.statusTimestampAfter, 'statusTimestampAfter');
    const response = await super.listTasks(params, context);
    await this.recordRead(context, 'ListTasks', isUUID(params.contextId) ? params.contextId : null, null);
    return response;
  }

  override async cancelTask(params: CancelTaskRequest, context: ServerCallContext): Promise<Task> {
    const taskId = requireTaskId(params.id);
    const auth = authOf(context);
    if (!(await this.deps.reader.find(this.descriptor.id, taskId, auth)))
      throw new TaskNotFoundError(`Task not found: ${taskId}`);
    await asA2a(() => this.deps.tasks.cancel(auth, taskId));
    const task = await this.deps.reader.find(this.descriptor.id, taskId, auth);
    if (!task) throw new TaskNotFoundError(`Task not found: ${taskId}`);
    return task;
  }

  /** The stored task first (what was missed), then its live updates and final status, from any instance. */
  override async *resubscribe(
    params: SubscribeToTaskRequest,
    context: ServerCallContext,
  ): AsyncGenerator<StreamResponse, void, undefined> {
    const taskId = requireTaskId(params.id);
    const auth = authOf(context);
    const found = await this.deps.reader.find(this.descriptor.id, taskId, auth);
    if (!found) throw new TaskNotFoundError(`Task not found: ${taskId}`);
    if (isTerminalState(found.status?.state)) {
      throw new UnsupportedOperationError(`Task ${taskId} is in a terminal state and cannot be subscribed to.`);
    }
    await this.recordRead(context, 'SubscribeToTask', found.contextId, found.id);
    const feed = this.deps.feeds.open(taskId, found.contextId);
    try {
      // Read again now that the feed listens, so nothing falls between the snapshot and the live updates.
      const task = (await this.deps.reader.find(this.descriptor.id, taskId, auth)) ?? found;
      yield { payload: { $case: 'task', value: task } };
      const state = task.status?.state;
      if (isTerminalState(state) || state === TaskState.TASK_STATE_INPUT_REQUIRED) return;
      for await (const update of this.deps.feeds.follow(feed, taskId)) yield { payload: update };
    } finally {
      feed.close();
    }
  }

  private async prepare(params: SendMessageRequest, context: ServerCallContext): Promise<StoredTurn | undefined> {
    checkHistoryLength(params.configuration?.historyLength);
    // A push URL sent with the message is checked before the message is stored, so a refused one stores nothing.
    const push = params.configuration?.taskPushNotificationConfig;
    if (push) await asA2a(() => this.deps.pushConfigs.checkUrl(push.url));
    return this.deps.preparer.prepare(this.descriptor.id, params, context);
  }

  /** Reviewer and admin reads, with the session and task they read (a user reading its own is not recorded). */
  private recordRead(
    context: ServerCallContext,
    operation: string,
    sessionId: string | null,
    taskId: string | null,
  ): Promise<void> {
    const call = callOf(context);
    return this.deps.accessLog.recordRead(authOf(context), {
      action: 'a2a.read',
      sessionId,
      taskId,
      detail: { path: call.path, method: call.method, operation },
    });
  }
}

function requireTaskId(id: string | undefined): string {
  if (!id || id.trim() === '') throw new RequestMalformedError('Task ID is required');
  return id;
}
