import { Injectable } from '@nestjs/common';
import { Prisma } from '../../generated/prisma/client.js';
import type { JsonObject } from '../../platform/json/json.js';
import { PrismaService, type PrismaTx } from '../../platform/database/prisma.service.js';
import { col, notifySql } from '../../platform/notifications/channels.js';
import { REOPENED_BY_USER_MESSAGE } from '../status.machine.js';
import { sqlList } from '../../platform/database/sql-list.js';
import type { EventRecord, EventRole, EventType, NewEvent, Part } from '../records/event.record.js';

/** Columns of `events`, aliased to the camelCase names Prisma's model uses, so one mapper reads both. */
const EVENT_COLUMNS = Prisma.raw(`e.id, e.session_id AS "sessionId", e.seq, e.type, e.role, e.parts, e.task_id AS "taskId",
  e.metadata, e.model, e.prompt_tokens AS "promptTokens", e.completion_tokens AS "completionTokens",
  e.cost_usd AS "costUsd", e.created_at AS "createdAt", e.hash`);

export interface EventRow {
  id: string;
  sessionId: string;
  seq: number;
  type: string;
  role: string;
  parts: unknown;
  taskId: string | null;
  metadata: unknown;
  model: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  costUsd: unknown;
  createdAt: Date;
  hash: Uint8Array;
}

export function toEventRecord(row: EventRow): EventRecord {
  const hasUsage = row.model !== null || row.promptTokens !== null || row.completionTokens !== null;
  return {
    id: row.id,
    sessionId: row.sessionId,
    seq: Number(row.seq),
    type: row.type as EventType,
    role: row.role as EventRole,
    parts: row.parts as Part[],
    taskId: row.taskId,
    metadata: (row.metadata ?? {}) as JsonObject,
    usage: hasUsage
      ? {
          promptTokens: row.promptTokens,
          completionTokens: row.completionTokens,
          model: row.model,
          costUsd: row.costUsd === null || row.costUsd === undefined ? null : Number(row.costUsd),
        }
      : null,
    createdAt: new Date(row.createdAt),
    hash: Buffer.from(row.hash).toString('hex'),
  };
}

export interface AppendOptions {
  /** Refuse when the session is closed or expired (user writes); agent replies to accepted turns skip this. */
  requireOpen: boolean;
  /** Only this user's session may be appended to (undefined: any owner). */
  ownerId?: string;
  /** Create this task, triggered by the event, in the same statement. */
  newTaskId?: string;
}

export interface AppendResult {
  event: EventRecord;
  agentId: string;
  turn: number;
}

@Injectable()
export class EventsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Appends one event in a single statement: bumps the session's counter (the row lock serializes appends to
   * one session, so seq has no gaps), extends the hash chain, inserts the event and, for a user turn, its task,
   * and notifies listeners on commit. O(1) in the session's length. Returns undefined when no session matched
   * (missing, not the caller's, or not open).
   */
  async append(event: NewEvent, options: AppendOptions, tx: PrismaTx = this.prisma): Promise<AppendResult | undefined> {
    const parts = JSON.stringify(event.parts);
    const metadata = JSON.stringify(event.metadata ?? {});
    const usage = event.usage;
    const pt = usage?.promptTokens ?? null;
    const ct = usage?.completionTokens ?? null;
    const model = usage?.model ?? null;
    const cost = usage?.costUsd ?? null;
    const taskId = event.taskId ?? options.newTaskId ?? null;
    const isTurn = event.role === 'user' && event.type === 'message' ? 1 : 0;
    const rows = await tx.$queryRaw<(EventRow & { agentId: string; turn: number })[]>`
      WITH s AS (
        UPDATE sessions SET
          event_count = event_count + 1,
          turn_count = turn_count + ${isTurn}::int,
          status = CASE WHEN ${isTurn}::int = 1 AND status IN (${sqlList(REOPENED_BY_USER_MESSAGE)}) THEN 'active' ELSE status END,
          last_activity_at = now(),
          prompt_tokens = prompt_tokens + coalesce(${pt}::int, 0),
          completion_tokens = completion_tokens + coalesce(${ct}::int, 0),
          cost_usd = cost_usd + coalesce(${cost}::numeric, 0),
          last_hash = event_chain_hash(last_hash, event_canonical(${event.id}::uuid, id, event_count + 1,
            ${event.type}::text, ${event.role}::text, ${parts}::jsonb, ${taskId}::uuid, ${metadata}::jsonb,
            ${model}::text, ${pt}::int, ${ct}::int, ${cost}::numeric, now()))
        WHERE id = ${event.sessionId}::uuid
          AND (${options.ownerId ?? null}::text IS NULL OR user_id = ${options.ownerId ?? null}::text)
          AND (NOT ${options.requireOpen}::boolean
               OR (status NOT IN ('closed', 'expired') AND (expires_at IS NULL OR expires_at > now())))
        RETURNING id, agent_id, event_count, turn_count, last_hash
      ), e AS (
        INSERT INTO events (id, session_id, seq, type, role, parts, task_id, metadata, model, prompt_tokens,
                            completion_tokens, cost_usd, created_at, hash)
        SELECT ${event.id}::uuid, s.id, s.event_count, ${event.type}::text, ${event.role}::text, ${parts}::jsonb,
               ${taskId}::uuid, ${metadata}::jsonb, ${model}::text, ${pt}::int, ${ct}::int, ${cost}::numeric,
               now(), s.last_hash
        FROM s
        RETURNING *
      ), t AS (
        INSERT INTO tasks (id, session_id, agent_id, trigger_event_id, trigger_seq, turn, status, created_at, updated_at)
        SELECT ${options.newTaskId ?? null}::uuid, e.session_id, s.agent_id, e.id, e.seq, s.turn_count, 'submitted', now(), now()
        FROM e, s
        WHERE ${options.newTaskId ?? null}::uuid IS NOT NULL
        RETURNING id
      )
      SELECT ${EVENT_COLUMNS}, s.agent_id AS "agentId", s.turn_count AS "turn",
             ${notifySql.sessionEvent(col('e.session_id'), col('e.seq'))}::text AS "notified",
             (SELECT ${notifySql.taskQueued(col('t.id'))}::text FROM t) AS "queued"
      FROM e, s`;
    const row = rows[0];
    if (!row) return undefined;
    return { event: toEventRecord(row), agentId: row.agentId, turn: Number(row.turn) };
  }

  async findById(id: string, tx: PrismaTx = this.prisma): Promise<EventRecord | undefined> {
    const row = await tx.event.findUnique({ where: { id } });
    return row ? toEventRecord(row) : undefined;
  }

  /** One page of a session's history in seq order; served by the (session_id, seq) unique index. */
  async listAfter(sessionId: string, after: number, limit: number): Promise<EventRecord[]> {
    const rows = await this.prisma.event.findMany({
      where: { sessionId, seq: { gt: after } },
      orderBy: { seq: 'asc' },
      take: limit,
    });
    return rows.map((row) => toEventRecord(row as unknown as EventRow));
  }

  /** Every event belonging to these tasks (their user messages and answers), in seq order; served by the task_id index. */
  async listByTasks(taskIds: string[]): Promise<EventRecord[]> {
    if (taskIds.length === 0) return [];
    const rows = await this.prisma.event.findMany({ where: { taskId: { in: taskIds } }, orderBy: { seq: 'asc' } });
    return rows.map((row) => toEventRecord(row as unknown as EventRow));
  }

  /** The last `limit` events up to and including `uptoSeq`, oldest first: what an agent is shown. */
  async recent(sessionId: string, uptoSeq: number, limit: number): Promise<EventRecord[]> {
    const rows = await this.prisma.event.findMany({
      where: { sessionId, seq: { lte: uptoSeq } },
      orderBy: { seq: 'desc' },
      take: limit,
    });
    return rows.reverse().map((row) => toEventRecord(row as unknown as EventRow));
  }
}
