import type { TaskRecord, TaskStatus } from './task.record.js';

/** `tasks` columns (table alias `t`), aliased to TaskRecord's names; read with toTaskRecord. */
export const TASK_COLUMNS_SQL = `t.id, t.session_id AS "sessionId", t.agent_id AS "agentId",
  t.trigger_event_id AS "triggerEventId", t.trigger_seq AS "triggerSeq", t.turn,
  t.response_event_id AS "responseEventId", t.status, t.attempts, t.error, t.created_at AS "createdAt",
  t.updated_at AS "updatedAt", t.started_at AS "startedAt", t.finished_at AS "finishedAt"`;

export type TaskRow = Omit<TaskRecord, 'status'> & { status: string };

export function toTaskRecord(row: TaskRow): TaskRecord {
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
