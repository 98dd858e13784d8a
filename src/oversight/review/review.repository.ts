import { Injectable } from '@nestjs/common';
import { Prisma } from '../../generated/prisma/client.js';
import type { KeysetPosition } from '../../platform/http/pagination.js';
import { isUuid } from '../../platform/http/uuid.js';
import { AppConfig } from '../../platform/config/app-config.js';
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

const NEWEST_FIRST = Prisma.sql`ORDER BY s.created_at DESC, s.id DESC`;

/** The indexed search expressions: each must match its index (events_session_search_idx, annotations_search_idx). */
const SEARCH_VECTOR = Prisma.raw(`to_tsvector('english', event_search_text(e.parts))`);
const ANNOTATION_VECTOR = Prisma.raw(`to_tsvector('english', annotation_search_text(a.text, a.labels))`);
/** Shorter words cannot use the trigram index on names. */
const MIN_NAME_QUERY = 3;

/** What `q` is looked for with: the full-text query, and the raw text for id, name and metadata values. */
interface SearchTerms {
  q: string;
  query: Prisma.Sql;
}

/**
 * Reads on DATABASE_READ_URL: a replica's lag only delays when a new event becomes findable.
 *
 * With `q`, two plans give the same page. A query with few matches (under `review.commonMatches` match rows)
 * collects them through one index per field and sorts them. A common one would have every match collected
 * and sorted for 25 rows, so instead the sessions are walked newest first and each is probed for `q`, which
 * stops after one page; a walk that finds too few within `review.probeSessions` sessions (matches mostly in
 * older sessions) hands the rest of the page to the first plan.
 */
@Injectable()
export class ReviewRepository {
  constructor(
    private readonly prisma: ReadPrismaService,
    private readonly config: AppConfig,
  ) {}

  /** Sessions across all users, newest first (keyset on created_at, id). */
  async search(filter: ReviewFilter): Promise<ReviewHit[]> {
    if (!filter.q) {
      return toHits(
        await this.prisma.$queryRaw<HitRow[]>`
          SELECT ${hitColumns()} FROM sessions s WHERE ${filterConditions(filter)}
          ${NEWEST_FIRST} LIMIT ${filter.limit}`,
      );
    }
    const terms = searchTerms(filter.q);
    const few = await this.fewMatches(terms, filter);
    if (few) return toHits(few);
    const walk = await this.walkNewestFirst(terms, filter);
    const found = walk.filter((row) => row.matchedOn && row.matchedOn.length > 0).slice(0, filter.limit);
    const end = walk.find((row) => row.walkEnd);
    if (found.length === filter.limit || !end) return toHits(found);
    const before = { createdAt: end.createdAt, id: end.id };
    const rest = await this.collected(terms, { ...filter, before, limit: filter.limit - found.length });
    return toHits([...found, ...rest]);
  }

  /**
   * The page from every match of `q`, collected through the indexes, when there are fewer than
   * `review.commonMatches` match rows; undefined otherwise (only that many are read to tell).
   */
  private async fewMatches(terms: SearchTerms, filter: ReviewFilter): Promise<HitRow[] | undefined> {
    const most = this.config.review.commonMatches;
    // serial_plan(): for a common word the first rows end the scan, and parallel workers took longer to start and
    // stop than the whole statement takes without them (docs/benchmarks.md, "Review search on 1,000,000 sessions").
    const rows = await this.prisma.$queryRaw<(HitRow & { matchRows: number })[]>`
      WITH u AS MATERIALIZED (SELECT * FROM (${matchRows(terms)}) m WHERE serial_plan() LIMIT ${most})
      SELECT c."matchRows", p.* FROM (SELECT count(*)::int AS "matchRows" FROM u) c
      LEFT JOIN LATERAL (
        SELECT ${hitColumns(terms.query, Prisma.sql`h.seq`, Prisma.sql`h.fields`)}
        FROM sessions s JOIN (${perSession(Prisma.sql`SELECT * FROM u`)}) h ON h.session_id = s.id
        WHERE c."matchRows" < ${most} AND ${filterConditions(filter)}
        ${NEWEST_FIRST} LIMIT ${filter.limit}
      ) p ON TRUE
      ORDER BY p."createdAt" DESC, p.id DESC`;
    if (rows[0].matchRows >= most) return undefined;
    return rows.filter((row) => row.id !== null);
  }

  /**
   * Up to `review.probeSessions` sessions, newest first, each probed for `q`; stops after one page of hits
   * (and one more row). The last session of a full walk comes back as well, marked `walkEnd`, matched or not.
   */
  private walkNewestFirst(terms: SearchTerms, filter: ReviewFilter): Promise<(HitRow & { walkEnd: boolean })[]> {
    const most = this.config.review.probeSessions;
    return this.prisma.$queryRaw`
      SELECT ${hitColumns(terms.query, Prisma.sql`p.seq`, Prisma.sql`p.fields`)}, s.n = ${most} AS "walkEnd"
      FROM (SELECT s.id, s.user_id, s.agent_id, s.name, s.status, s.created_at, s.last_activity_at, s.event_count,
                   s.metadata, row_number() OVER (${NEWEST_FIRST}) AS n
            FROM sessions s WHERE ${filterConditions(filter)} ${NEWEST_FIRST} LIMIT ${most}) s
      CROSS JOIN LATERAL (${probeSession(terms)}) p
      WHERE cardinality(p.fields) > 0 OR s.n = ${most}
      ${NEWEST_FIRST} LIMIT ${filter.limit + 1}`;
  }

  /** The page from every match of `q`, collected through the indexes, grouped per session and sorted. */
  private collected(terms: SearchTerms, filter: ReviewFilter): Promise<HitRow[]> {
    return this.prisma.$queryRaw`
      SELECT ${hitColumns(terms.query, Prisma.sql`h.seq`, Prisma.sql`h.fields`)}
      FROM sessions s JOIN (${perSession(matchRows(terms))}) h ON h.session_id = s.id
      WHERE ${filterConditions(filter)} ${NEWEST_FIRST} LIMIT ${filter.limit}`;
  }
}

/** Rows as hits, without the columns a plan adds for itself. */
function toHits(rows: (HitRow & { matchRows?: number; walkEnd?: boolean })[]): ReviewHit[] {
  return rows.map(({ matchSeq, snippet: text, failedTasks, matchedOn, matchRows: _n, walkEnd: _end, ...row }) => ({
    ...row,
    eventCount: Number(row.eventCount),
    failedTasks: Number(failedTasks),
    matchedOn: matchedOn ?? [],
    match: matchSeq === null ? null : { seq: Number(matchSeq), snippet: text ?? '' },
  }));
}

function searchTerms(q: string): SearchTerms {
  return { q, query: Prisma.sql`websearch_to_tsquery('english', ${q})` };
}

/** The columns of a hit for the session `s`; `seq` and `fields` say what matched (NULL without `q`). */
function hitColumns(query?: Prisma.Sql, seq = Prisma.sql`NULL::int`, fields = Prisma.sql`NULL::text[]`) {
  const snippet = query
    ? Prisma.sql`(SELECT ts_headline('english', event_search_text(e.parts), ${query},
                   'StartSel=«, StopSel=», MaxWords=24, MinWords=8, MaxFragments=1')
                 FROM events e WHERE e.session_id = s.id AND e.seq = ${seq})`
    : Prisma.sql`NULL::text`;
  return Prisma.sql`s.id, s.user_id AS "userId", s.agent_id AS "agentId", s.name, s.status,
    s.created_at AS "createdAt", s.last_activity_at AS "lastActivityAt", s.event_count AS "eventCount",
    (SELECT count(*) FROM tasks t WHERE t.session_id = s.id AND t.status = 'failed') AS "failedTasks",
    (SELECT coalesce(array_agg(DISTINCT l ORDER BY l), '{}') FROM annotations a, unnest(a.labels) l
      WHERE a.session_id = s.id) AS "labels",
    ${seq} AS "matchSeq", ${fields} AS "matchedOn", ${snippet} AS "snippet"`;
}

/**
 * One row per match of `q` (session, the matching event's seq for text, field), each branch served by its own
 * index: an OR over the fields in one WHERE would scan every session instead.
 */
function matchRows({ q, query }: SearchTerms): Prisma.Sql {
  const branches = [
    Prisma.sql`SELECT e.session_id, e.seq, 'text' AS field FROM events e WHERE ${SEARCH_VECTOR} @@ ${query}`,
    Prisma.sql`SELECT a.session_id, NULL::int, 'annotation' FROM annotations a WHERE ${ANNOTATION_VECTOR} @@ ${query}`,
    Prisma.sql`SELECT m.id, NULL::int, 'metadata' FROM sessions m
               WHERE metadata_search_values(m.metadata) @> ARRAY[lower(${q})]::text[]`,
  ];
  if (q.length >= MIN_NAME_QUERY) {
    branches.push(Prisma.sql`SELECT n.id, NULL::int, 'name' FROM sessions n WHERE n.name ILIKE ${namePattern(q)}`);
  }
  if (isUuid(q)) branches.push(Prisma.sql`SELECT ${q}::uuid, NULL::int, 'id'`);
  return Prisma.join(branches, ' UNION ALL ');
}

/** matchRows grouped per session: the first matching seq, and the matched fields in name order. */
function perSession(rows: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`SELECT u.session_id, min(u.seq) AS seq, array_agg(DISTINCT u.field ORDER BY u.field) AS fields
    FROM (${rows}) u GROUP BY u.session_id`;
}

/**
 * The same answer as perSession(matchRows) for the one session `s` (columns id, name, metadata), as a row
 * (seq, fields) with empty fields when nothing matched: its events through events_session_search_idx (session
 * and words together, so a long session costs no more than a short one; the planner may read a short session's
 * few events by (session_id, seq) instead), its annotations through their session index, the rest from the row.
 * OFFSET 0 keeps each subquery whole: inlined, the event probe would run once per reference to its result.
 */
function probeSession({ q, query }: SearchTerms): Prisma.Sql {
  const when = (test: Prisma.Sql, field: string) => Prisma.sql`CASE WHEN ${test} THEN ${field}::text END`;
  const fields = [
    when(
      Prisma.sql`EXISTS (SELECT 1 FROM annotations a WHERE a.session_id = s.id AND ${ANNOTATION_VECTOR} @@ ${query})`,
      'annotation',
    ),
    ...(isUuid(q) ? [when(Prisma.sql`s.id = ${q}::uuid`, 'id')] : []),
    when(Prisma.sql`metadata_search_values(s.metadata) @> ARRAY[lower(${q})]::text[]`, 'metadata'),
    ...(q.length >= MIN_NAME_QUERY ? [when(Prisma.sql`s.name ILIKE ${namePattern(q)}`, 'name')] : []),
    when(Prisma.sql`f.seq IS NOT NULL`, 'text'),
  ];
  return Prisma.sql`SELECT f.seq, array_remove(ARRAY[${Prisma.join(fields)}], NULL) AS fields
    FROM (SELECT (SELECT min(e.seq) FROM events e WHERE e.session_id = s.id AND ${SEARCH_VECTOR} @@ ${query}) AS seq
          OFFSET 0) f
    OFFSET 0`;
}

/** The filters other than `q`, on the session `s`. */
function filterConditions(f: ReviewFilter): Prisma.Sql {
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
  if (f.before) where.push(Prisma.sql`(s.created_at, s.id) < (${f.before.createdAt}, ${f.before.id}::uuid)`);
  return Prisma.join(where, ' AND ');
}

function namePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
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
