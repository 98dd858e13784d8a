import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService, type PrismaTx } from '../database/prisma.service.js';
import type { TaskRecord, TaskStatus } from './task.record.js';

const TASK_COLUMNS = Prisma.raw(`t.id, t.session_id AS "sessionId", t.agent_id AS "agentId",
  t.trigger_event_id AS "triggerEventId", t.trigger_seq AS "triggerSeq", t.turn,
  t.response_event_id AS "responseEventId", t.status, t.attempts, t.error, t.created_at AS "createdAt",
  t.updated_at AS "updatedAt", t.started_at AS "startedAt", t.finished_at AS "finishedAt"`);

type TaskRow = Omit<TaskRecord, 'status'> & { status: string };

function toTaskRecord(row: TaskRow): TaskRecord {
  return {
    id: row.id,
    sessionId: row.sessionId,
    agentId: row.agentId,
    triggerEventId: row.triggerEventId,
    triggerSeq: Number(row.triggerSeq),
    turn: Number(row.turn),
    responseEventId: row.responseEventId,
    status: row.status as TaskStatus,
    attempts: Number(row.attempts),
    error: row.error,
    createdAt: new Date(row.createdAt),
    updatedAt: new Date(row.updatedAt),
    startedAt: row.startedAt ? new Date(row.startedAt) : null,
    finishedAt: row.finishedAt ? new Date(row.finishedAt) : null,
  };
}

/** The user event a continued task now answers (see resubmit). */
export interface TaskTrigger {
  eventId: string;
  seq: number;
  turn: number;
}

/** Filters of an A2A task listing: one agent's tasks, newest status change first. */
export interface AgentTaskFilter {
  agentId: string;
  /** only this user's sessions (undefined: any owner) */
  ownerId?: string;
  sessionId?: string;
  status?: TaskStatus;
  updatedAfter?: Date;
}

export interface AgentTaskCursor {
  updatedAt: Date;
  id: string;
}

export interface TaskOutcome {
  status: TaskStatus;
  responseEventId?: string | null;
  error?: string | null;
}

@Injectable()
export class TasksRepository {
  constructor(private readonly prisma: PrismaService) {}

  async findById(id: string, ownerId?: string, tx: PrismaTx = this.prisma): Promise<TaskRecord | undefined> {
    const row = await tx.task.findFirst({ where: { id, ...(ownerId ? { session: { userId: ownerId } } : {}) } });
    return row ? toTaskRecord(row) : undefined;
  }

  async findByTriggerEvent(eventId: string, tx: PrismaTx = this.prisma): Promise<TaskRecord | undefined> {
    const row = await tx.task.findUnique({ where: { triggerEventId: eventId } });
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

  /**
   * Claims up to `limit` runnable tasks for `owner` with a lease: submitted ones, and working ones whose
   * lease ran out (their worker died). A session's tasks run one at a time, in turn order. SKIP LOCKED lets
   * several instances claim side by side without waiting on or double-claiming each other's rows.
   */
  async claim(owner: string, leaseMs: number, limit: number): Promise<TaskRecord[]> {
    const rows = await this.prisma.$queryRaw<TaskRow[]>`
      WITH picked AS (
        SELECT c.id FROM tasks c
        WHERE (c.status = 'submitted' OR (c.status = 'working' AND c.lease_expires_at < now()))
          AND NOT EXISTS (
            SELECT 1 FROM tasks p
            WHERE p.session_id = c.session_id AND p.trigger_seq < c.trigger_seq
              AND p.status IN ('submitted', 'working'))
        ORDER BY c.created_at
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )
      UPDATE tasks t SET status = 'working', attempts = t.attempts + 1, lease_owner = ${owner},
        lease_expires_at = now() + ${leaseMs}::int * interval '1 millisecond',
        started_at = coalesce(t.started_at, now()), updated_at = now()
      FROM picked WHERE t.id = picked.id
      RETURNING ${TASK_COLUMNS}, pg_notify('agent_task_status', t.session_id::text || ':' || t.id || ':working')::text AS n`;
    return rows.map(toTaskRecord);
  }

  /** Extends a running task's lease; false when the lease was lost (the task was canceled or re-claimed). */
  async renewLease(id: string, owner: string, leaseMs: number): Promise<boolean> {
    const count = await this.prisma.$executeRaw`
      UPDATE tasks SET lease_expires_at = now() + ${leaseMs}::int * interval '1 millisecond'
      WHERE id = ${id}::uuid AND status = 'working' AND lease_owner = ${owner}`;
    return count > 0;
  }

  /** Locks a task this worker still holds; undefined when it no longer does. */
  async lockHeld(id: string, owner: string, tx: PrismaTx): Promise<TaskRecord | undefined> {
    const rows = await tx.$queryRaw<TaskRow[]>`
      SELECT ${TASK_COLUMNS} FROM tasks t
      WHERE t.id = ${id}::uuid AND t.status = 'working' AND t.lease_owner = ${owner}
      FOR UPDATE`;
    return rows[0] ? toTaskRecord(rows[0]) : undefined;
  }

  /** Records a task's outcome and tells listeners (on commit). */
  async finish(id: string, outcome: TaskOutcome, tx: PrismaTx = this.prisma): Promise<TaskRecord> {
    const settled = outcome.status !== 'submitted' && outcome.status !== 'working';
    const final = settled && outcome.status !== 'input_required';
    const rows = await tx.$queryRaw<TaskRow[]>`
      UPDATE tasks t SET status = ${outcome.status}, updated_at = now(),
        response_event_id = coalesce(${outcome.responseEventId ?? null}::uuid, t.response_event_id),
        error = ${outcome.error ?? null}, lease_owner = NULL, lease_expires_at = NULL,
        finished_at = CASE WHEN ${final}::boolean THEN now() ELSE NULL END
      WHERE t.id = ${id}::uuid
      RETURNING ${TASK_COLUMNS}, pg_notify('agent_task_status', t.session_id::text || ':' || t.id || ':' || t.status)::text AS n`;
    return toTaskRecord(rows[0]);
  }

  /** Locks a task row for the rest of the transaction; undefined when it does not exist. */
  async lock(id: string, tx: PrismaTx): Promise<TaskRecord | undefined> {
    const rows = await tx.$queryRaw<TaskRow[]>`SELECT ${TASK_COLUMNS} FROM tasks t WHERE t.id = ${id}::uuid FOR UPDATE`;
    return rows[0] ? toTaskRecord(rows[0]) : undefined;
  }

  /**
   * Queues a task that was waiting for input again, now answering `trigger` (the user's follow-up, already
   * appended with this task's id): the worker claims it like any submitted task and shows the agent the
   * history up to that event. The previous answer stays in the history; the next one becomes the response.
   */
  async resubmit(id: string, trigger: TaskTrigger, tx: PrismaTx): Promise<TaskRecord> {
    const rows = await tx.$queryRaw<TaskRow[]>`
      UPDATE tasks t SET status = 'submitted', trigger_event_id = ${trigger.eventId}::uuid, trigger_seq = ${trigger.seq},
        turn = ${trigger.turn}, response_event_id = NULL, error = NULL, attempts = 0, lease_owner = NULL,
        lease_expires_at = NULL, finished_at = NULL, updated_at = now()
      WHERE t.id = ${id}::uuid AND t.status = 'input_required'
      RETURNING ${TASK_COLUMNS}, pg_notify('agent_task_queued', t.id::text)::text AS q,
        pg_notify('agent_task_status', t.session_id::text || ':' || t.id || ':submitted')::text AS n`;
    return toTaskRecord(rows[0]);
  }

  /** One page of an agent's tasks, newest status change first (keyset on millisecond time, then id). */
  async listForAgent(filter: AgentTaskFilter, before: AgentTaskCursor | undefined, limit: number): Promise<TaskRecord[]> {
    const conditions = agentTaskConditions(filter);
    if (before) {
      conditions.push(Prisma.sql`(date_trunc('milliseconds', t.updated_at), t.id) < (${before.updatedAt}::timestamptz, ${before.id}::uuid)`);
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

  /** Cancels every unfinished task of a session (when it is closed); returns how many. */
  async cancelOpen(sessionId: string, reason: string, tx: PrismaTx): Promise<number> {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      UPDATE tasks t SET status = 'canceled', error = ${reason}, updated_at = now(), finished_at = now(),
        lease_owner = NULL, lease_expires_at = NULL
      WHERE t.session_id = ${sessionId}::uuid AND t.status IN ('submitted', 'working', 'input_required')
      RETURNING t.id, pg_notify('agent_task_status', t.session_id::text || ':' || t.id || ':canceled')::text AS n`;
    return rows.length;
  }

  /** Hands this worker's running tasks back to the queue (graceful shutdown). */
  async release(owner: string): Promise<number> {
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      UPDATE tasks t SET status = 'submitted', lease_owner = NULL, lease_expires_at = NULL, updated_at = now(),
        attempts = greatest(t.attempts - 1, 0)
      WHERE t.status = 'working' AND t.lease_owner = ${owner}
      RETURNING t.id, pg_notify('agent_task_queued', t.id::text)::text AS n,
        pg_notify('agent_task_status', t.session_id::text || ':' || t.id || ':submitted')::text AS s`;
    return rows.length;
  }
}

function agentTaskConditions(filter: AgentTaskFilter): Prisma.Sql[] {
  const conditions = [Prisma.sql`t.agent_id = ${filter.agentId}`];
  if (filter.ownerId !== undefined) conditions.push(Prisma.sql`s.user_id = ${filter.ownerId}`);
  if (filter.sessionId !== undefined) conditions.push(Prisma.sql`t.session_id = ${filter.sessionId}::uuid`);
  if (filter.status !== undefined) conditions.push(Prisma.sql`t.status = ${filter.status}`);
  if (filter.updatedAfter !== undefined) conditions.push(Prisma.sql`t.updated_at > ${filter.updatedAfter}::timestamptz`);
  return conditions;
}
