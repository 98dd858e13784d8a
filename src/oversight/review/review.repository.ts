import { Injectable } from '@nestjs/common';
import { Prisma } from '../../generated/prisma/client.js';
import type { KeysetPosition } from '../../platform/http/pagination.js';
import { isUuid } from '../../platform/http/uuid.js';
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
  /** sessions with an annotation carrying this label */
  label?: string;
  /** each: metadata @> {key: value} (a value that reads as a JSON number or boolean also matches as one) */
  metadata?: { key: string; value: string }[];
  before?: KeysetPosition;
  limit: number;
}

export const MATCH_FIELDS = ['id', 'name', 'metadata', 'text', 'annotation'] as const;
export type MatchField = (typeof MATCH_FIELDS)[number];

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
  labels: string[];
  matchedOn: MatchField[];
  match: { seq: number; snippet: string } | null;
}

type HitRow = Omit<ReviewHit, 'match' | 'failedTasks' | 'matchedOn'> & {
  matchSeq: number | null;
  snippet: string | null;
  failedTasks: bigint;
  matchedOn: MatchField[] | null;
};

/** The indexed search expressions; each must match its index (events_search_idx, annotations_search_idx) exactly. */
const SEARCH_VECTOR = Prisma.raw(`to_tsvector('english', event_search_text(e.parts))`);
const ANNOTATION_VECTOR = Prisma.raw(`to_tsvector('english', annotation_search_text(a.text, a.labels))`);
/** Shorter words cannot use the trigram index on names. */
const MIN_NAME_QUERY = 3;

/** Reads on DATABASE_READ_URL: a replica's lag only delays when a new event becomes findable. */
@Injectable()
export class ReviewRepository {
  constructor(private readonly prisma: ReadPrismaService) {}

  /**
   * Sessions across all users, newest first (keyset on created_at, id). With `q`, the matching sessions come
   * from one index per field first (a UNION), and only the page's snippets are computed.
   */
  async search(filter: ReviewFilter): Promise<ReviewHit[]> {
    const query = filter.q ? Prisma.sql`websearch_to_tsquery('english', ${filter.q})` : undefined;
    const hits =
      query && filter.q ? Prisma.sql`JOIN (${matches(filter.q, query)}) h ON h.session_id = s.id` : Prisma.empty;
    const matched = query
      ? Prisma.sql`h.seq AS "matchSeq", h.fields AS "matchedOn", (SELECT ts_headline('english', event_search_text(e.parts), ${query},
                     'StartSel=«, StopSel=», MaxWords=24, MinWords=8, MaxFragments=1')
                   FROM events e WHERE e.session_id = s.id AND e.seq = h.seq) AS "snippet"`
      : Prisma.sql`NULL::int AS "matchSeq", NULL::text[] AS "matchedOn", NULL::text AS "snippet"`;
    const rows = await this.prisma.$queryRaw<HitRow[]>`
      SELECT s.id, s.user_id AS "userId", s.agent_id AS "agentId", s.name, s.status, s.created_at AS "createdAt",
             s.last_activity_at AS "lastActivityAt", s.event_count AS "eventCount",
             (SELECT count(*) FROM tasks t WHERE t.session_id = s.id AND t.status = 'failed') AS "failedTasks",
             (SELECT coalesce(array_agg(DISTINCT l ORDER BY l), '{}') FROM annotations a, unnest(a.labels) l
               WHERE a.session_id = s.id) AS "labels",
             ${matched}
      FROM sessions s ${hits}
      WHERE ${Prisma.join(this.conditions(filter), ' AND ')}
      ORDER BY s.created_at DESC, s.id DESC
      LIMIT ${filter.limit}`;
    return rows.map(({ matchSeq, snippet: text, failedTasks, matchedOn, ...row }) => ({
      ...row,
      eventCount: Number(row.eventCount),
      failedTasks: Number(failedTasks),
      matchedOn: matchedOn ?? [],
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
    if (f.label) {
      // An array computed once (annotations_labels_idx), then looked up by primary key: with IN (…) the planner
      // may walk every session newest first probing for the label, which takes seconds when the labelled
      // sessions are old (docs/benchmarks.md, "Review search").
      where.push(
        Prisma.sql`s.id = ANY (ARRAY(SELECT a.session_id FROM annotations a WHERE a.labels @> ARRAY[${f.label}]::text[]))`,
      );
    }
    for (const { key, value } of f.metadata ?? []) where.push(metadataCondition(key, value));
    if (f.before) {
      where.push(Prisma.sql`(s.created_at, s.id) < (${f.before.createdAt}, ${f.before.id}::uuid)`);
    }
    return where;
  }
}

/**
 * Sessions matching `q` by id, name (trigram), metadata value, event text or annotation (full text), each
 * branch served by its own index: an OR over the fields in one WHERE would scan every session instead.
 */
function matches(q: string, query: Prisma.Sql): Prisma.Sql {
  const branches = [
    Prisma.sql`SELECT e.session_id, e.seq, 'text' AS field FROM events e WHERE ${SEARCH_VECTOR} @@ ${query}`,
    Prisma.sql`SELECT a.session_id, NULL::int, 'annotation' FROM annotations a WHERE ${ANNOTATION_VECTOR} @@ ${query}`,
    Prisma.sql`SELECT m.id, NULL::int, 'metadata' FROM sessions m
               WHERE metadata_search_values(m.metadata) @> ARRAY[lower(${q})]::text[]`,
  ];
  if (q.length >= MIN_NAME_QUERY) {
    const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    branches.push(Prisma.sql`SELECT n.id, NULL::int, 'name' FROM sessions n WHERE n.name ILIKE ${pattern}`);
  }
  if (isUuid(q)) branches.push(Prisma.sql`SELECT ${q}::uuid, NULL::int, 'id'`);
  return Prisma.sql`SELECT u.session_id, min(u.seq) AS seq, array_agg(DISTINCT u.field ORDER BY u.field) AS fields
    FROM (${Prisma.join(branches, ' UNION ALL ')}) u GROUP BY u.session_id`;
}

function metadataCondition(key: string, value: string): Prisma.Sql {
  const candidates: unknown[] = [value];
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed === 'number' || typeof parsed === 'boolean') candidates.push(parsed);
  } catch {
    // a plain string
  }
  const tests = candidates.map((v) => Prisma.sql`s.metadata @> ${JSON.stringify({ [key]: v })}::jsonb`);
  return Prisma.sql`(${Prisma.join(tests, ' OR ')})`;
}
