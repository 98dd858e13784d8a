import { Inject, Injectable } from '@nestjs/common';
import { Prisma } from '../../generated/prisma/client.js';
import { PrismaService, type PrismaTx } from '../../platform/database/prisma.service.js';
import { sqlList } from '../../platform/database/sql-list.js';
import { MAX_INT4 } from '../../platform/http/pagination.js';
import { HISTORY_EDIT_TYPES, HISTORY_ITEM_TYPES, type EventRecord } from '../records/event.record.js';
import { toEventRecord, type EventRow } from './events.repository.js';

/** Where an item sits in the effective history: its seq, or for a compaction summary the seq it summarizes through. */
export interface HistoryPosition {
  position: number;
  seq: number;
}

export type HistoryItem = EventRecord & { position: number };

const EVENT_COLUMNS =
  Prisma.raw(`e.id, e.session_id AS "sessionId", e.seq, e.type, e.role, e.parts, e.task_id AS "taskId",
  e.metadata, e.model, e.prompt_tokens AS "promptTokens", e.completion_tokens AS "completionTokens",
  e.cost_usd AS "costUsd", e.created_at AS "createdAt", e.hash, e.parent_id AS "parentId"`);
// Literal lists (not parameters), so the planner matches the partial indexes' predicates.
const ITEM_TYPES = sqlList(HISTORY_ITEM_TYPES);
const EDIT_TYPES = sqlList(HISTORY_EDIT_TYPES);
const POSITION = Prisma.raw('event_history_position(e.type, e.seq, e.metadata)');

/**
 * The effective history (migration 20261130020000_recorded_turns_and_history): the session's items that no
 * later edit hides, in (position, seq) order. A page walks events_history_items_idx from the cursor and
 * anti-joins the session's edits, read once per query from their own partial index; nothing replays the session.
 */
@Injectable()
export class HistoryRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaTx) {}

  /** Up to `limit` effective items after `after`, in history order. */
  async page(
    sessionId: string,
    after: HistoryPosition | undefined,
    limit: number,
    tx: PrismaTx = this.prisma,
  ): Promise<HistoryItem[]> {
    const from = after ?? { position: -1, seq: 0 };
    const rows = await tx.$queryRaw<(EventRow & { position: number })[]>`
      ${effective(sessionId)}
        AND (${POSITION}, e.seq) > (${from.position}::int, ${from.seq}::int)
      ORDER BY ${POSITION}, e.seq
      LIMIT ${limit}`;
    return rows.map(toItem);
  }

  /**
   * The last `count` effective items, oldest first (what a revert removes); with `beforeSeq`, only items stored
   * that come before that seq in the history (what an agent is shown before a turn's trigger).
   */
  async last(sessionId: string, count: number, beforeSeq?: number, tx: PrismaTx = this.prisma): Promise<HistoryItem[]> {
    const rows = await tx.$queryRaw<(EventRow & { position: number })[]>`
      ${effective(sessionId)}
        AND ${POSITION} < ${beforeSeq ?? MAX_INT4 + 1}::bigint
      ORDER BY ${POSITION} DESC, e.seq DESC
      LIMIT ${count}`;
    return rows.map(toItem).reverse();
  }
}

function effective(sessionId: string): Prisma.Sql {
  return Prisma.sql`
    WITH edits AS MATERIALIZED (
      SELECT x.seq, (x.metadata->>'hidesFrom')::int AS lo, coalesce((x.metadata->>'hidesTo')::int, 2147483647) AS hi
      FROM events x WHERE x.session_id = ${sessionId}::uuid AND x.type IN (${EDIT_TYPES})
    )
    SELECT ${EVENT_COLUMNS}, ${POSITION} AS position
    FROM events e
    WHERE e.session_id = ${sessionId}::uuid AND e.type IN (${ITEM_TYPES})
      AND NOT EXISTS (SELECT 1 FROM edits x WHERE x.seq > e.seq AND ${POSITION} BETWEEN x.lo AND x.hi)`;
}

function toItem(row: EventRow & { position: number }): HistoryItem {
  return { ...toEventRecord(row), position: Number(row.position) };
}
