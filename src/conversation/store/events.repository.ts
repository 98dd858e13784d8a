import { Inject, Injectable } from '@nestjs/common';
import { Prisma } from '../../generated/prisma/client.js';
import type { JsonObject } from '../../platform/json/json.js';
import { PrismaService, type PrismaTx } from '../../platform/database/prisma.service.js';
import type { EventRecord, EventRole, EventType, Part, StreamedEvent, Usage } from '../records/event.record.js';

/** Columns of `events`, aliased to the camelCase names Prisma's model uses, so one mapper reads both. */
export const EVENT_COLUMNS =
  Prisma.raw(`e.id, e.session_id AS "sessionId", e.seq, e.type, e.role, e.parts, e.task_id AS "taskId",
  e.metadata, e.model, e.prompt_tokens AS "promptTokens", e.completion_tokens AS "completionTokens",
  e.cost_usd AS "costUsd", e.created_at AS "createdAt", e.hash, e.parent_id AS "parentId"`);

/** The new task's columns as a JSON object with TaskRecord's names (alias `t`). */
export const TASK_JSON_FIELDS =
  Prisma.raw(`'id', t.id, 'sessionId', t.session_id, 'agentId', t.agent_id, 'triggerEventId', t.trigger_event_id,
  'triggerSeq', t.trigger_seq, 'turn', t.turn, 'responseEventId', t.response_event_id, 'status', t.status,
  'attempts', t.attempts, 'error', t.error, 'createdAt', t.created_at, 'updatedAt', t.updated_at,
  'startedAt', t.started_at, 'finishedAt', t.finished_at`);

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
  parentId: string | null;
}

export function toEventRecord(row: EventRow): EventRecord {
  return {
    id: row.id,
    sessionId: row.sessionId,
    seq: Number(row.seq),
    type: row.type as EventType,
    role: row.role as EventRole,
    parts: row.parts as Part[],
    taskId: row.taskId,
    parentId: row.parentId ?? null,
    metadata: (row.metadata ?? {}) as JsonObject,
    usage: usageOf(row),
    createdAt: new Date(row.createdAt),
    hash: Buffer.from(row.hash).toString('hex'),
  };
}

/** The same fields as toEventRecord, with the parts as jsonb text (built directly: it runs for every exported event). */
export function toStreamedEvent(row: Omit<EventRow, 'parts'>, partsText: string[]): StreamedEvent {
  return {
    id: row.id,
    sessionId: row.sessionId,
    seq: Number(row.seq),
    type: row.type as EventType,
    role: row.role as EventRole,
    partsText,
    taskId: row.taskId,
    parentId: row.parentId ?? null,
    metadata: (row.metadata ?? {}) as JsonObject,
    usage: usageOf(row),
    createdAt: new Date(row.createdAt),
    hash: Buffer.from(row.hash).toString('hex'),
  };
}

function usageOf(row: Omit<EventRow, 'parts'>): Usage | null {
  const hasUsage = row.model !== null || row.promptTokens !== null || row.completionTokens !== null;
  if (!hasUsage) return null;
  const costUsd = row.costUsd === null || row.costUsd === undefined ? null : Number(row.costUsd);
  return { promptTokens: row.promptTokens, completionTokens: row.completionTokens, model: row.model, costUsd };
}

/** Reads of a session's events; appends are EventAppendRepository's. */
@Injectable()
export class EventsRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaTx) {}

  /** An event of this session; ids are unique within a session only. */
  async findById(sessionId: string, id: string, tx: PrismaTx = this.prisma): Promise<EventRecord | undefined> {
    const row = await tx.event.findUnique({ where: { sessionId_id: { sessionId, id } } });
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

  /**
   * The parent of a task's next step, from what this attempt stored so far (the task_id index): a tool result's
   * call (same callId), a call's most recent intermediate agent message; undefined when there is none.
   */
  async stepParent(
    taskId: string,
    attempt: number,
    step: { kind: string; callId?: string },
    tx: PrismaTx = this.prisma,
  ): Promise<string | undefined> {
    if (step.kind === 'message') return undefined;
    const match =
      step.kind === 'tool_result'
        ? Prisma.sql`type = 'tool_call' AND metadata->>'callId' = ${step.callId ?? ''}`
        : Prisma.sql`type = 'message' AND role = 'agent' AND parent_id IS NOT NULL`;
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM events
      WHERE task_id = ${taskId}::uuid AND metadata->'attempt' = to_jsonb(${attempt}::int) AND ${match}
      ORDER BY seq DESC LIMIT 1`;
    return rows[0]?.id;
  }

  /** A task's events of these types, in seq order (its artifacts, its steps). */
  async listOfTask(taskId: string, types: EventType[]): Promise<EventRecord[]> {
    const rows = await this.prisma.event.findMany({
      where: { taskId, type: { in: types } },
      orderBy: { seq: 'asc' },
    });
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
