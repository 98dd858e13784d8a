import { Inject, Injectable } from '@nestjs/common';
import { Prisma } from '../../generated/prisma/client.js';
import { PrismaService, type PrismaTx } from '../../platform/database/prisma.service.js';
import { NotificationsService } from '../../platform/notifications/notifications.service.js';
import type { PostCommitNotifier } from '../../platform/notifications/post-commit.js';
import type { AgentTaskCursor, AgentTaskFilter, TaskRecord, TaskStatus } from '../records/task.record.js';
import { taskStatusesMovingTo } from '../status.machine.js';
import type { JsonObject } from '../../platform/json/json.js';
import { sqlList } from '../../platform/database/sql-list.js';
import { TASK_COLUMNS_SQL, toTaskRecord, type TaskRow } from '../records/task.row.js';

const TASK_COLUMNS = Prisma.raw(TASK_COLUMNS_SQL);

/** The user event a continued task now answers (see resubmit). */
export interface TaskTrigger {
  eventId: string;
  seq: number;
  turn: number;
}

export interface TaskOutcome {
  status: TaskStatus;
  responseEventId?: string | null;
  error?: string | null;
}

@Injectable()
export class TasksRepository {
  /** `notifier` gets the status changes this repository writes; bound to a transaction, it holds them until commit. */
  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaTx,
    @Inject(NotificationsService) private readonly notifier: PostCommitNotifier,
  ) {}

  async findById(id: string, ownerId?: string, tx: PrismaTx = this.prisma): Promise<TaskRecord | undefined> {
    const row = await tx.task.findFirst({ where: { id, ...(ownerId ? { session: { userId: ownerId } } : {}) } });
    return row ? toTaskRecord(row) : undefined;
  }

  async findByTriggerEvent(
    sessionId: string,
    eventId: string,
    tx: PrismaTx = this.prisma,
  ): Promise<TaskRecord | undefined> {
    const row = await tx.task.findUnique({
      where: { sessionId_triggerEventId: { sessionId, triggerEventId: eventId } },
    });
    return row ? toTaskRecord(row) : undefined;
  }

  /** Current status of each of these tasks, in one query. */
  async statuses(ids: string[]): Promise<Map<string, TaskStatus>> {
    if (ids.length === 0) return new Map();
    const rows = await this.prisma.task.findMany({ where: { id: { in: ids } }, select: { id: true, status: true } });
    return new Map(rows.map((row) => [row.id, row.status as TaskStatus]));
  }

  /** A session's tasks in turn order, keyset-paginated on the trigger event's seq. */
  async listBySession(sessionId: string, afterSeq: number, limit: number): Promise<TaskRecord[]> {
    const rows = await this.prisma.task.findMany({
      where: { sessionId, triggerSeq: { gt: afterSeq } },
      orderBy: { triggerSeq: 'asc' },
      take: limit,
    });
    return rows.map(toTaskRecord);
  }

  /** Locks a task this worker still holds; undefined when it no longer does. */
  async lockHeld(id: string, owner: string, tx: PrismaTx = this.prisma): Promise<TaskRecord | undefined> {
    const rows = await tx.$queryRaw<TaskRow[]>`
      SELECT ${TASK_COLUMNS} FROM tasks t
      WHERE t.id = ${id}::uuid AND t.status = 'working' AND t.lease_owner = ${owner}
      FOR UPDATE`;
    return rows[0] ? toTaskRecord(rows[0]) : undefined;
  }

  /** Stores the trace context of the request that queued (or re-queued) the task, for the worker's span. */
  async setTraceContext(id: string, carrier: JsonObject, tx: PrismaTx = this.prisma): Promise<void> {
    await tx.$executeRaw`UPDATE tasks SET trace_context = ${JSON.stringify(carrier)}::jsonb WHERE id = ${id}::uuid`;
  }

  /** Records a task's outcome and tells listeners (after commit). */
  async finish(id: string, outcome: TaskOutcome): Promise<TaskRecord> {
    const settled = outcome.status !== 'submitted' && outcome.status !== 'working';
    const final = settled && outcome.status !== 'input_required';
    const rows = await this.prisma.$queryRaw<TaskRow[]>`
      UPDATE tasks t SET status = ${outcome.status}, updated_at = now(),
        response_event_id = coalesce(${outcome.responseEventId ?? null}::uuid, t.response_event_id),
        error = ${outcome.error ?? null}, lease_owner = NULL, lease_expires_at = NULL,
        finished_at = CASE WHEN ${final}::boolean THEN now() ELSE NULL END
      WHERE t.id = ${id}::uuid
      RETURNING ${TASK_COLUMNS}`;
    const task = toTaskRecord(rows[0]);
    this.statusChanged(task);
    return task;
  }

  /** Locks a task row for the rest of the transaction; undefined when it does not exist. */
  async lock(id: string, tx: PrismaTx = this.prisma): Promise<TaskRecord | undefined> {
    const rows = await tx.$queryRaw<TaskRow[]>`SELECT ${TASK_COLUMNS} FROM tasks t WHERE t.id = ${id}::uuid FOR UPDATE`;
    return rows[0] ? toTaskRecord(rows[0]) : undefined;
  }

  /**
   * Queues a task that was waiting for input again, now answering `trigger` (the user's follow-up, already
   * appended with this task's id): the worker claims it like any submitted task and shows the agent the
   * history up to that event. The previous answer stays in the history; the next one becomes the response.
   * Undefined (nothing changed) when the task is not waiting for input.
   */
  async resubmit(id: string, trigger: TaskTrigger): Promise<TaskRecord | undefined> {
    const rows = await this.prisma.$queryRaw<TaskRow[]>`
      UPDATE tasks t SET status = 'submitted', trigger_event_id = ${trigger.eventId}::uuid, trigger_seq = ${trigger.seq},
        turn = ${trigger.turn}, response_event_id = NULL, error = NULL, attempts = 0, lease_owner = NULL,
        lease_expires_at = NULL, finished_at = NULL, updated_at = now()
      WHERE t.id = ${id}::uuid AND t.status = 'input_required'
      RETURNING ${TASK_COLUMNS}`;
    if (!rows[0]) return undefined;
    const task = toTaskRecord(rows[0]);
    this.notifier.notifyAfterCommit('taskQueued', { taskId: task.id });
    this.statusChanged(task);
    return task;
  }

  /**
   * Makes a just-created task of a recorded turn a running one held by `owner` (so the turn's steps and answer
   * go through the same lease-checked writes as a hosted run), with the client's turn id and request hash.
   * Only in the transaction that created it: no worker ever sees it submitted.
   */
  async startRecorded(
    id: string,
    recorded: { owner: string; turnId: string; requestHash: string },
    tx: PrismaTx = this.prisma,
  ): Promise<TaskRecord | undefined> {
    const rows = await tx.$queryRaw<TaskRow[]>`
      UPDATE tasks t SET status = 'working', attempts = 1, lease_owner = ${recorded.owner},
        lease_expires_at = now() + interval '1 minute', started_at = now(), updated_at = now(),
        turn_id = ${recorded.turnId}, request_hash = ${recorded.requestHash}
      WHERE t.id = ${id}::uuid AND t.status = 'submitted'
      RETURNING ${TASK_COLUMNS}`;
    return rows[0] ? toTaskRecord(rows[0]) : undefined;
  }

  /** The task a recorded turn with this client id created, and its request hash (the partial unique index). */
  async findByTurnId(
    sessionId: string,
    turnId: string,
    tx: PrismaTx = this.prisma,
  ): Promise<{ task: TaskRecord; requestHash: string } | undefined> {
    const rows = await tx.$queryRaw<(TaskRow & { requestHash: string })[]>`
      SELECT ${TASK_COLUMNS}, t.request_hash AS "requestHash" FROM tasks t
      WHERE t.session_id = ${sessionId}::uuid AND t.turn_id = ${turnId}`;
    return rows[0] ? { task: toTaskRecord(rows[0]), requestHash: rows[0].requestHash } : undefined;
  }

  /** Whether a task of the session is queued or running (tasks_unfinished_session_idx). */
  async hasRunning(sessionId: string, tx: PrismaTx = this.prisma): Promise<boolean> {
    const rows = await tx.$queryRaw<unknown[]>`
      SELECT 1 FROM tasks WHERE session_id = ${sessionId}::uuid AND status IN ('submitted', 'working') LIMIT 1`;
    return rows.length > 0;
  }

  /** One page of an agent's tasks, newest status change first (keyset on millisecond time, then id). */
  async listForAgent(
    filter: AgentTaskFilter,
    before: AgentTaskCursor | undefined,
    limit: number,
  ): Promise<TaskRecord[]> {
    const conditions = agentTaskConditions(filter);
    if (before) {
      conditions.push(
        Prisma.sql`(date_trunc('milliseconds', t.updated_at), t.id) < (${before.updatedAt}::timestamptz, ${before.id}::uuid)`,
      );
    }
    const rows = await this.prisma.$queryRaw<TaskRow[]>`
      SELECT ${TASK_COLUMNS} FROM tasks t JOIN sessions s ON s.id = t.session_id
      WHERE ${Prisma.join(conditions, ' AND ')}
      ORDER BY date_trunc('milliseconds', t.updated_at) DESC, t.id DESC
      LIMIT ${limit}`;
    return rows.map(toTaskRecord);
  }

  async countForAgent(filter: AgentTaskFilter): Promise<number> {
    const rows = await this.prisma.$queryRaw<{ count: bigint }[]>`
      SELECT count(*) AS count FROM tasks t JOIN sessions s ON s.id = t.session_id
      WHERE ${Prisma.join(agentTaskConditions(filter), ' AND ')}`;
    return Number(rows[0]?.count ?? 0);
  }

  /** Cancels the session's tasks that wait for input (the user started a new task instead). */
  async cancelWaiting(sessionId: string, reason: string): Promise<number> {
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      UPDATE tasks t SET status = 'canceled', error = ${reason}, updated_at = now(), finished_at = now()
      WHERE t.session_id = ${sessionId}::uuid AND t.status = 'input_required'
      RETURNING t.id`;
    for (const row of rows) this.statusChanged({ sessionId, id: row.id, status: 'canceled' });
    return rows.length;
  }

  /** Cancels every unfinished task of a session (when it is closed); returns how many. */
  async cancelOpen(sessionId: string, reason: string): Promise<number> {
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      UPDATE tasks t SET status = 'canceled', error = ${reason}, updated_at = now(), finished_at = now(),
        lease_owner = NULL, lease_expires_at = NULL
      WHERE t.session_id = ${sessionId}::uuid AND t.status IN (${sqlList(taskStatusesMovingTo('canceled'))})
      RETURNING t.id`;
    for (const row of rows) this.statusChanged({ sessionId, id: row.id, status: 'canceled' });
    return rows.length;
  }

  private statusChanged(task: Pick<TaskRecord, 'sessionId' | 'id' | 'status'>): void {
    this.notifier.notifyAfterCommit('taskStatus', { sessionId: task.sessionId, taskId: task.id, status: task.status });
  }
}

function agentTaskConditions(filter: AgentTaskFilter): Prisma.Sql[] {
  const conditions = [Prisma.sql`t.agent_id = ${filter.agentId}`];
  if (filter.ownerId !== undefined) conditions.push(Prisma.sql`s.user_id = ${filter.ownerId}`);
  if (filter.sessionId !== undefined) conditions.push(Prisma.sql`t.session_id = ${filter.sessionId}::uuid`);
  if (filter.status !== undefined) conditions.push(Prisma.sql`t.status = ${filter.status}`);
  if (filter.updatedAfter !== undefined)
    conditions.push(Prisma.sql`t.updated_at > ${filter.updatedAfter}::timestamptz`);
  return conditions;
}
