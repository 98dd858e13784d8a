import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import { TASK_COLUMNS_SQL, toTaskRecord, type TaskRow } from '../conversation/records/task.row.js';
import type { TaskRecord } from '../conversation/records/task.record.js';
import { PrismaService } from '../platform/database/prisma.service.js';
import { NotificationsService } from '../platform/notifications/notifications.service.js';
import type { TraceCarrier } from '../platform/telemetry/tracing.js';

const TASK_COLUMNS = Prisma.raw(TASK_COLUMNS_SQL);

/** A claimed task, with the trace context of the request that queued it (when tracing was on). */
export interface ClaimedTask extends TaskRecord {
  traceContext: TraceCarrier | null;
}

/** Whose tasks a claim takes: one agent's (`agentId`), or any agent's but those in `excludeAgentIds`. */
export interface ClaimScope {
  agentId?: string;
  excludeAgentIds?: readonly string[];
}

/** A claimed task and the end of its lease (what a pull worker is told). */
export interface ClaimedLease {
  task: ClaimedTask;
  leaseExpiresAt: Date;
}

function agentCondition(scope: ClaimScope): Prisma.Sql {
  if (scope.agentId !== undefined) return Prisma.sql`c.agent_id = ${scope.agentId}`;
  if (scope.excludeAgentIds?.length) return Prisma.sql`c.agent_id <> ALL(${[...scope.excludeAgentIds]}::text[])`;
  return Prisma.sql`TRUE`;
}

/**
 * The task queue's SQL: claim, renew a lease, hand tasks back. Settling a task is the conversation's write
 * path (it checks the lease in the same transaction as the answer); this only moves tasks in and out of
 * `working`, with the status moves the conversation's state machine allows (submitted → working → submitted).
 */
@Injectable()
export class QueueRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly notifications: NotificationsService,
  ) {}

  /**
   * Claims up to `limit` runnable tasks for `owner` with a lease: submitted ones, and working ones whose
   * lease ran out (their worker died). A session's tasks run one at a time, in turn order. SKIP LOCKED lets
   * several instances claim side by side without waiting on or double-claiming each other's rows. `scope`
   * narrows the claim to one agent's tasks (a pull worker; tasks_pending_agent_idx) or leaves some agents'
   * tasks alone (the hosted worker skips external agents; with many of their tasks queued, its scan of
   * tasks_pending_idx passes over them, a cost paid only while such a backlog exists).
   */
  async claim(owner: string, leaseMs: number, limit: number, scope: ClaimScope = {}): Promise<ClaimedTask[]> {
    return (await this.claimLeases(owner, leaseMs, limit, scope)).map((claimed) => claimed.task);
  }

  /** `claim`, with the end of each claimed task's lease. */
  async claimLeases(owner: string, leaseMs: number, limit: number, scope: ClaimScope = {}): Promise<ClaimedLease[]> {
    const rows = await this.prisma.$queryRaw<(TaskRow & { traceContext: TraceCarrier | null; leaseExpiresAt: Date })[]>`
      WITH picked AS (
        SELECT c.id FROM tasks c
        WHERE (c.status = 'submitted' OR (c.status = 'working' AND c.lease_expires_at < now()))
          AND ${agentCondition(scope)}
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
      RETURNING ${TASK_COLUMNS}, t.trace_context AS "traceContext", t.lease_expires_at AS "leaseExpiresAt"`;
    const claimed = rows.map((row) => ({
      task: { ...toTaskRecord(row), traceContext: row.traceContext },
      leaseExpiresAt: new Date(row.leaseExpiresAt),
    }));
    // after commit (the statement's own), never from inside it: see post-commit.ts
    for (const { task } of claimed) this.statusChanged(task.sessionId, task.id, task.status);
    return claimed;
  }

  /** Extends a running task's lease; false when the lease was lost (the task was canceled or re-claimed). */
  async renewLease(id: string, owner: string, leaseMs: number): Promise<boolean> {
    return (await this.renew(id, owner, leaseMs)) !== undefined;
  }

  /** `renewLease` that tells the lease's new end; undefined when the lease was lost. */
  async renew(id: string, owner: string, leaseMs: number): Promise<Date | undefined> {
    const rows = await this.prisma.$queryRaw<{ leaseExpiresAt: Date }[]>`
      UPDATE tasks SET lease_expires_at = now() + ${leaseMs}::int * interval '1 millisecond'
      WHERE id = ${id}::uuid AND status = 'working' AND lease_owner = ${owner}
      RETURNING lease_expires_at AS "leaseExpiresAt"`;
    return rows[0] ? new Date(rows[0].leaseExpiresAt) : undefined;
  }

  /**
   * Puts one task this owner holds back in the queue, for another run: `countAttempt` false when the run did
   * not happen (a claim the client never received), true when it failed and is retried. False when not held.
   */
  async requeue(id: string, owner: string, countAttempt: boolean): Promise<boolean> {
    const rows = await this.prisma.$queryRaw<{ id: string; sessionId: string }[]>`
      UPDATE tasks t SET status = 'submitted', lease_owner = NULL, lease_expires_at = NULL, updated_at = now(),
        attempts = CASE WHEN ${countAttempt} THEN t.attempts ELSE greatest(t.attempts - 1, 0) END
      WHERE t.id = ${id}::uuid AND t.status = 'working' AND t.lease_owner = ${owner}
      RETURNING t.id, t.session_id AS "sessionId"`;
    for (const row of rows) this.requeued(row.sessionId, row.id);
    return rows.length > 0;
  }

  /** Hands this worker's running tasks back to the queue (graceful shutdown). */
  async release(owner: string): Promise<number> {
    const rows = await this.prisma.$queryRaw<{ id: string; sessionId: string }[]>`
      UPDATE tasks t SET status = 'submitted', lease_owner = NULL, lease_expires_at = NULL, updated_at = now(),
        attempts = greatest(t.attempts - 1, 0)
      WHERE t.status = 'working' AND t.lease_owner = ${owner}
      RETURNING t.id, t.session_id AS "sessionId"`;
    for (const row of rows) this.requeued(row.sessionId, row.id);
    // sent now: this runs while the instance shuts down, and other instances should take the tasks over at once
    await this.notifications.flushPending();
    return rows.length;
  }

  /** Unfinished tasks by status and the oldest queued task's age; served by the partial status indexes. */
  async depth(): Promise<{ byStatus: Record<string, number>; oldestQueuedSeconds: number }> {
    const rows = await this.prisma.$queryRaw<{ status: string; count: bigint; oldest: Date | null }[]>`
      SELECT status, count(*) AS count, min(created_at) AS oldest FROM tasks
      WHERE status IN ('submitted', 'working', 'input_required') GROUP BY status`;
    const byStatus: Record<string, number> = { submitted: 0, working: 0, input_required: 0 };
    for (const row of rows) byStatus[row.status] = Number(row.count);
    const oldest = rows.find((row) => row.status === 'submitted')?.oldest;
    return {
      byStatus,
      oldestQueuedSeconds: oldest ? Math.max(0, (Date.now() - new Date(oldest).getTime()) / 1000) : 0,
    };
  }

  private requeued(sessionId: string, taskId: string): void {
    this.notifications.notifyAfterCommit('taskQueued', { taskId });
    this.statusChanged(sessionId, taskId, 'submitted');
  }

  private statusChanged(sessionId: string, taskId: string, status: TaskRecord['status']): void {
    this.notifications.notifyAfterCommit('taskStatus', { sessionId, taskId, status });
  }
}
