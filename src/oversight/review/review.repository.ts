import { Injectable } from '@nestjs/common';
import { Prisma } from '../../generated/prisma/client.js';
import type { KeysetPosition } from '../../platform/http/pagination.js';
import { ReadPrismaService } from '../../platform/database/read-prisma.service.js';
import type { SessionStatus } from '../../conversation/records/session.record.js';

export interface ReviewFilter {
  q?: string;
  userId?: string;
  agentId?: string;
  status?: SessionStatus;
  hasFailedTasks?: boolean;
  createdFrom?: Date;
  createdTo?: Date;
  activeFrom?: Date;
  activeTo?: Date;
  before?: KeysetPosition;
  limit: number;
}

export interface ReviewHit {
  id: string;
  userId: string;
  agentId: string;
  name: string | null;
  status: SessionStatus;
  createdAt: Date;
  lastActivityAt: Date;
  eventCount: number;
  failedTasks: number;
  match: { seq: number; snippet: string } | null;
}

/** The indexed search expression; must match events_search_idx exactly for the GIN index to be used. */
const SEARCH_VECTOR = Prisma.raw(`to_tsvector('english', event_search_text(e.parts))`);

/** Reads on DATABASE_READ_URL: a replica's lag only delays when a new event becomes findable. */
@Injectable()
export class ReviewRepository {
  constructor(private readonly prisma: ReadPrismaService) {}

  /**
   * Sessions across all users, newest first (keyset on created_at, id). With a text query the matching
   * events come from the GIN index first, and only the page's snippets are computed.
   */
  async search(filter: ReviewFilter): Promise<ReviewHit[]> {
    const query = filter.q ? Prisma.sql`websearch_to_tsquery('english', ${filter.q})` : undefined;
    const hits = query
      ? Prisma.sql`JOIN (SELECT e.session_id, min(e.seq) AS seq FROM events e WHERE ${SEARCH_VECTOR} @@ ${query} GROUP BY e.session_id) h
                   ON h.session_id = s.id`
      : Prisma.empty;
    const snippet = query
      ? Prisma.sql`h.seq AS "matchSeq", (SELECT ts_headline('english', event_search_text(e.parts), ${query},
                     'StartSel=«, StopSel=», MaxWords=24, MinWords=8, MaxFragments=1')
                   FROM events e WHERE e.session_id = s.id AND e.seq = h.seq) AS "snippet"`
      : Prisma.sql`NULL::int AS "matchSeq", NULL::text AS "snippet"`;
    const rows = await this.prisma.$queryRaw<
      (Omit<ReviewHit, 'match' | 'failedTasks'> & {
        matchSeq: number | null;
        snippet: string | null;
        failedTasks: bigint;
      })[]
    >`
      SELECT s.id, s.user_id AS "userId", s.agent_id AS "agentId", s.name, s.status, s.created_at AS "createdAt",
             s.last_activity_at AS "lastActivityAt", s.event_count AS "eventCount",
             (SELECT count(*) FROM tasks t WHERE t.session_id = s.id AND t.status = 'failed') AS "failedTasks",
             ${snippet}
      FROM sessions s ${hits}
      WHERE ${Prisma.join(this.conditions(filter), ' AND ')}
      ORDER BY s.created_at DESC, s.id DESC
      LIMIT ${filter.limit}`;
    return rows.map(({ matchSeq, snippet: text, failedTasks, ...row }) => ({
      ...row,
      eventCount: Number(row.eventCount),
      failedTasks: Number(failedTasks),
      match: matchSeq === null ? null : { seq: Number(matchSeq), snippet: text ?? '' },
    }));
  }

  private conditions(f: ReviewFilter): Prisma.Sql[] {
    const where: Prisma.Sql[] = [Prisma.sql`TRUE`];
    if (f.userId) where.push(Prisma.sql`s.user_id = ${f.userId}`);
    if (f.agentId) where.push(Prisma.sql`s.agent_id = ${f.agentId}`);
    if (f.status) where.push(Prisma.sql`s.status = ${f.status}`);
    if (f.createdFrom) where.push(Prisma.sql`s.created_at >= ${f.createdFrom}`);
    if (f.createdTo) where.push(Prisma.sql`s.created_at < ${f.createdTo}`);
    if (f.activeFrom) where.push(Prisma.sql`s.last_activity_at >= ${f.activeFrom}`);
    if (f.activeTo) where.push(Prisma.sql`s.last_activity_at < ${f.activeTo}`);
    if (f.hasFailedTasks !== undefined) {
      const exists = Prisma.sql`EXISTS (SELECT 1 FROM tasks t WHERE t.session_id = s.id AND t.status = 'failed')`;
      where.push(f.hasFailedTasks ? exists : Prisma.sql`NOT ${exists}`);
    }
    if (f.before) {
      where.push(Prisma.sql`(s.created_at, s.id) < (${f.before.createdAt}, ${f.before.id}::uuid)`);
    }
    return where;
  }
}
