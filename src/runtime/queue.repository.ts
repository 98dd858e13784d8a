import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import { TASK_COLUMNS_SQL, toTaskRecord, type TaskRow } from '../conversation/records/task.row.js';
import type { TaskRecord } from '../conversation/records/task.record.js';
import { PrismaService } from '../platform/database/prisma.service.js';
import { NotificationsService } from '../platform/notifications/notifications.service.js';

const TASK_COLUMNS = Prisma.raw(TASK_COLUMNS_SQL);

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
      RETURNING ${TASK_COLUMNS}`;
    const tasks = rows.map(toTaskRecord);
    // after commit (the statement's own), never from inside it: see post-commit.ts
    for (const task of tasks)
      this.notifications.notifyAfterCommit('taskStatus', {
        sessionId: task.sessionId,
        taskId: task.id,
        status: task.status,
      });
    return tasks;
  }

  /** Extends a running task's lease; false when the lease was lost (the task was canceled or re-claimed). */
  async renewLease(id: string, owner: string, leaseMs: number): Promise<boolean> {
    const count = await this.prisma.$executeRaw`
      UPDATE tasks SET lease_expires_at = now() + ${leaseMs}::int * interval '1 millisecond'
      WHERE id = ${id}::uuid AND status = 'working' AND lease_owner = ${owner}`;
    return count > 0;
  }

  /** Hands this worker's running tasks back to the queue (graceful shutdown). */
  async release(owner: string): Promise<number> {
    const rows = await this.prisma.$queryRaw<{ id: string; sessionId: string }[]>`
      UPDATE tasks t SET status = 'submitted', lease_owner = NULL, lease_expires_at = NULL, updated_at = now(),
        attempts = greatest(t.attempts - 1, 0)
      WHERE t.status = 'working' AND t.lease_owner = ${owner}
      RETURNING t.id, t.session_id AS "sessionId"`;
    for (const row of rows) {
      this.notifications.notifyAfterCommit('taskQueued', { taskId: row.id });
      this.notifications.notifyAfterCommit('taskStatus', {
        sessionId: row.sessionId,
        taskId: row.id,
        status: 'submitted',
      });
    }
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
}
