import { Injectable } from '@nestjs/common';
import type { ListTasksRequest, ListTasksResponse, Task } from '@a2a-js/sdk';
import { RequestMalformedError } from '@a2a-js/sdk/errors';
import type { ServerCallContext, TaskStore } from '@a2a-js/sdk/server';
import { isUUID } from 'class-validator';
import { ownerScope, type AuthContext } from '../identity/auth/auth-context.js';
import type { EventRecord } from '../conversation/records/event.record.js';
import { ConversationReader } from '../conversation/conversation.reader.js';
import type { AgentTaskCursor, AgentTaskFilter, TaskRecord } from '../conversation/records/task.record.js';
import { authOf } from './a2a-user.js';
import { fromTaskState, toA2aTask } from './a2a-message.mapper.js';
import { parseTimestamp, requireTimestamp } from './a2a-params.js';

const DEFAULT_PAGE_SIZE = 50;
const PINNED_PREFIX = 'agentSessions.pinnedTask:';

/**
 * Pins the snapshot of a task taken when this request stored its message: for the rest of the request, the
 * SDK's result manager builds on it (a clone each time), so a stream starts with the task as submitted and the
 * final result is that snapshot plus the final status, however fast the worker was. Other requests read the
 * database.
 */
export function pinTask(context: ServerCallContext, task: Task): void {
  context.state.set(PINNED_PREFIX + task.id, structuredClone(task));
}

function encodeCursor(task: TaskRecord): string {
  return Buffer.from(`${task.updatedAt.toISOString()}|${task.id}`).toString('base64url');
}

function decodeCursor(token: string): AgentTaskCursor {
  const [time, id] = Buffer.from(token, 'base64url').toString('utf8').split('|');
  const updatedAt = parseTimestamp(time ?? '');
  if (!id || !isUUID(id) || !updatedAt) throw new RequestMalformedError('pageToken is malformed');
  return { updatedAt, id };
}

/**
 * Reads the service's tasks as A2A tasks. A task's history is its stored user messages and answers, so what
 * arrived over REST and over A2A reads back the same; a caller sees its own tasks (reviewers and admins: all).
 */
@Injectable()
export class A2aTaskReader {
  constructor(private readonly reader: ConversationReader) {}

  async find(agentId: string, taskId: string, auth: AuthContext): Promise<Task | undefined> {
    if (!isUUID(taskId)) return undefined;
    const task = await this.reader.task(taskId, ownerScope(auth));
    return task && task.agentId === agentId ? this.snapshot(task) : undefined;
  }

  /** The task as an A2A task; with `uptoSeq`, only its events up to that one (a consistent early snapshot). */
  async snapshot(task: TaskRecord, uptoSeq = Number.MAX_SAFE_INTEGER): Promise<Task> {
    const events = await this.reader.eventsOfTasks([task.id]);
    return toA2aTask(
      task,
      events.filter((event) => event.seq <= uptoSeq),
    );
  }

  /** One page of the agent's tasks, most recently changed first (the SDK trims history to historyLength). */
  async list(agentId: string, params: ListTasksRequest, auth: AuthContext): Promise<ListTasksResponse> {
    const pageSize = params.pageSize ?? DEFAULT_PAGE_SIZE;
    const filter = this.filter(agentId, params, auth);
    if (!filter) return { tasks: [], nextPageToken: '', pageSize, totalSize: 0 };
    const cursor = params.pageToken ? decodeCursor(params.pageToken) : undefined;
    const [rows, totalSize] = await Promise.all([
      this.reader.agentTasks(filter, cursor, pageSize + 1),
      this.reader.countAgentTasks(filter),
    ]);
    const page = rows.slice(0, pageSize);
    const byTask = new Map<string, EventRecord[]>();
    for (const event of await this.reader.eventsOfTasks(page.map((task) => task.id))) {
      byTask.set(event.taskId!, [...(byTask.get(event.taskId!) ?? []), event]);
    }
    return {
      tasks: page.map((task) => toA2aTask(task, byTask.get(task.id) ?? [])),
      nextPageToken: rows.length > pageSize ? encodeCursor(page[page.length - 1]) : '',
      pageSize,
      totalSize,
    };
  }

  /** undefined when nothing can match (a context id that is not a UUID, a state the service never uses). */
  private filter(agentId: string, params: ListTasksRequest, auth: AuthContext): AgentTaskFilter | undefined {
    if (params.contextId && !isUUID(params.contextId)) return undefined;
    const status = params.status ? fromTaskState(params.status) : undefined;
    if (params.status && !status) return undefined;
    return {
      agentId,
      ownerId: ownerScope(auth),
      sessionId: params.contextId || undefined,
      status,
      updatedAfter: params.statusTimestampAfter
        ? requireTimestamp(params.statusTimestampAfter, 'statusTimestampAfter')
        : undefined,
    };
  }
}

/**
 * The SDK's TaskStore for one agent, backed by the service's own tables. `save` writes nothing to them: every
 * change of a task (its messages, status, artifacts and answer) is made by EventsService, TasksService and the
 * worker, so the database stays the single source of truth on every instance. Within the request that runs a
 * task, `load` answers from the pinned snapshot and `save` adds the artifacts the SDK merged to it (so the
 * result carries the artifact updates it saw); other requests' copies are discarded.
 */
export class SessionTaskStore implements TaskStore {
  constructor(
    private readonly reader: A2aTaskReader,
    private readonly agentId: string,
  ) {}

  async load(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    const pinned = context.state.get(PINNED_PREFIX + taskId) as Task | undefined;
    return pinned ? structuredClone(pinned) : this.reader.find(this.agentId, taskId, authOf(context));
  }

  /**
   * Writes nothing to the database. Within the request that pinned the task, the artifacts the SDK merged in
   * (from artifact updates) join the pin; the rest of its copy is left, so streamed deltas never become history.
   */
  async save(task: Task, context: ServerCallContext): Promise<void> {
    const pinned = context.state.get(PINNED_PREFIX + task.id) as Task | undefined;
    if (pinned) pinned.artifacts = structuredClone(task.artifacts);
  }

  list(params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    return this.reader.list(this.agentId, params, authOf(context));
  }
}
