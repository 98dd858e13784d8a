import { Injectable } from '@nestjs/common';
import { Prisma } from '../../generated/prisma/client.js';
import { PrismaService } from '../../platform/database/prisma.service.js';
import type { DailyActivity, OldestQueuedTask, StatusCounts } from './stats.record.js';

/** Tables whose rows are counted by their `status` column. */
export type StatusTable = 'sessions' | 'tasks';

/** Up to this size (20 MB) a table is counted exactly; beyond, a count would be a long scan. */
export const EXACT_COUNT_MAX_PAGES = 2_560;

export const OPEN_TASK_STATUSES = ['submitted', 'working', 'input_required'];

interface TableStats {
  pages: bigint;
  reltuples: number;
  vals: string[] | null;
  freqs: number[] | null;
}

/**
 * Read-only numbers for support staff. Every query is bounded: status counts are exact only for small tables
 * (else planner statistics), open tasks come from the partial status indexes, and per-day activity reads the
 * last N days through the BRIN index on events.created_at.
 */
@Injectable()
export class StatsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async statusCounts(table: StatusTable, exactMaxPages = EXACT_COUNT_MAX_PAGES): Promise<StatusCounts> {
    const [stats] = await this.prisma.$queryRaw<TableStats[]>`
      SELECT (pg_relation_size(c.oid) / current_setting('block_size')::int)::int8 AS pages,
             c.reltuples::float8 AS reltuples,
             array_to_json(s.most_common_vals::text::text[]) AS vals,
             array_to_json(s.most_common_freqs) AS freqs
      FROM pg_class c
      LEFT JOIN pg_stats s ON s.schemaname = current_schema() AND s.tablename = c.relname AND s.attname = 'status'
      WHERE c.oid = to_regclass(${table})`;
    if (Number(stats.pages) <= exactMaxPages) {
      const rows = await this.prisma.$queryRaw<{ status: string; count: bigint }[]>`
        SELECT status, count(*) AS count FROM ${Prisma.raw(table)} GROUP BY status`;
      return { counts: Object.fromEntries(rows.map((r) => [r.status, Number(r.count)])), estimated: false };
    }
    // Statuses are few, so after ANALYZE the most-common-values list holds all of them.
    const rows = Math.max(stats.reltuples, 0);
    const counts = Object.fromEntries(
      (stats.vals ?? []).map((status, i) => [status, Math.round(rows * (stats.freqs?.[i] ?? 0))]),
    );
    return { counts, estimated: true };
  }

  /** Exact, from the partial indexes on unfinished tasks (bounded by the backlog, not the table). */
  async openTaskCounts(): Promise<Record<string, number>> {
    const rows = await this.prisma.$queryRaw<{ status: string; count: bigint }[]>`
      SELECT status, count(*) AS count FROM tasks
      WHERE status IN ('submitted', 'working', 'input_required') GROUP BY status`;
    const counts: Record<string, number> = Object.fromEntries(OPEN_TASK_STATUSES.map((status) => [status, 0]));
    for (const row of rows) counts[row.status] = Number(row.count);
    return counts;
  }

  /** Events and turns (user messages) per UTC day, the last `days` days including today, zero-filled. */
  async daily(days: number): Promise<DailyActivity[]> {
    const rows = await this.prisma.$queryRaw<{ day: string; events: bigint; turns: bigint }[]>`
      WITH first AS (SELECT (now() AT TIME ZONE 'UTC')::date - (${days}::int - 1) AS day),
      counted AS (
        SELECT (e.created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS events,
               count(*) FILTER (WHERE e.type = 'message' AND e.role = 'user') AS turns
        FROM events e, first
        WHERE e.created_at >= (first.day::timestamp AT TIME ZONE 'UTC')
        GROUP BY 1
      )
      SELECT to_char(d.day, 'YYYY-MM-DD') AS day, coalesce(c.events, 0) AS events, coalesce(c.turns, 0) AS turns
      FROM first, generate_series(0, ${days}::int - 1) AS g(n)
      CROSS JOIN LATERAL (SELECT first.day + g.n AS day) d
      LEFT JOIN counted c ON c.day = d.day
      ORDER BY d.day`;
    return rows.map((row) => ({ day: row.day, events: Number(row.events), turns: Number(row.turns) }));
  }

  /** The task waiting longest to be claimed; the partial index on unfinished tasks' created_at serves it. */
  async oldestQueuedTask(): Promise<OldestQueuedTask | null> {
    const [row] = await this.prisma.$queryRaw<{ id: string; createdAt: Date; ageSeconds: number }[]>`
      SELECT id, created_at AS "createdAt", extract(epoch FROM now() - created_at)::float8 AS "ageSeconds"
      FROM tasks WHERE status = 'submitted' ORDER BY created_at LIMIT 1`;
    return row ?? null;
  }
}
