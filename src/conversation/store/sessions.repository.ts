import { Inject, Injectable } from '@nestjs/common';
import { Prisma, type Session } from '../../generated/prisma/client.js';
import type { JsonObject } from '../../platform/json/json.js';
import { sqlList } from '../../platform/database/sql-list.js';
import { PrismaService, type PrismaTx } from '../../platform/database/prisma.service.js';
import type { NewSession, SessionListFilter, SessionRecord, SessionStatus } from '../records/session.record.js';

export function toSessionRecord(row: Session): SessionRecord {
  return {
    id: row.id,
    userId: row.userId,
    agentId: row.agentId,
    name: row.name,
    status: row.status as SessionStatus,
    metadata: row.metadata as JsonObject,
    state: row.state as JsonObject,
    parentId: row.parentId,
    createdAt: row.createdAt,
    lastActivityAt: row.lastActivityAt,
    expiresAt: row.expiresAt,
    closedAt: row.closedAt,
    eventCount: row.eventCount,
    turnCount: row.turnCount,
    promptTokens: Number(row.promptTokens),
    completionTokens: Number(row.completionTokens),
    costUsd: row.costUsd === null ? null : Number(row.costUsd),
    unpricedAnswers: row.unpricedAnswers,
    key: row.key,
    agentContext: (row.agentContext ?? null) as JsonObject | null,
  };
}

export interface SessionChanges {
  name?: string | null;
  metadata?: JsonObject;
  state?: JsonObject;
  status?: SessionStatus;
  closedAt?: Date | null;
}

@Injectable()
export class SessionsRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaTx) {}

  /**
   * JSON goes to PostgreSQL as text cast to jsonb, never through Prisma's JSON input, which copies objects by
   * assignment and so turns a client's `"__proto__"` key into a prototype (or fails on it).
   */
  async create(session: NewSession, tx: PrismaTx = this.prisma): Promise<SessionRecord> {
    return (await this.insert(session, tx))!;
  }

  /**
   * Creates the session unless its user already has one with its key: undefined then (the caller reads that
   * one with findByKey). ON CONFLICT on the (user_id, key) unique index makes concurrent calls create one:
   * a second insert waits for the first to commit and then does nothing.
   */
  async insert(session: NewSession, tx: PrismaTx = this.prisma): Promise<SessionRecord | undefined> {
    const inserted = await tx.$executeRaw`
      INSERT INTO sessions (id, user_id, agent_id, name, metadata, state, parent_id, expires_at, key)
      VALUES (${session.id}::uuid, ${session.userId}, ${session.agentId}, ${session.name ?? null},
              ${JSON.stringify(session.metadata ?? {})}::jsonb, ${JSON.stringify(session.state ?? {})}::jsonb,
              ${session.parentId ?? null}::uuid, ${session.expiresAt ?? null}::timestamptz, ${session.key ?? null})
      ON CONFLICT (user_id, key) WHERE key IS NOT NULL DO NOTHING`;
    return inserted === 0 ? undefined : this.findById(session.id, undefined, tx);
  }

  /** A user's session with this key (sessions_user_id_key_key). */
  async findByKey(userId: string, key: string, tx: PrismaTx = this.prisma): Promise<SessionRecord | undefined> {
    const row = await tx.session.findFirst({ where: { userId, key } });
    return row ? toSessionRecord(row) : undefined;
  }

  /** Concurrent first sessions of one user must not fail on each other's user row: ON CONFLICT DO NOTHING. */
  async ensureUser(userId: string, tx: PrismaTx = this.prisma): Promise<void> {
    await tx.$executeRaw`INSERT INTO users (id) VALUES (${userId}) ON CONFLICT (id) DO NOTHING`;
  }

  /** The session if it exists and (when ownerId is given) belongs to that user. */
  async findById(id: string, ownerId?: string, tx: PrismaTx = this.prisma): Promise<SessionRecord | undefined> {
    const row = await tx.session.findFirst({ where: { id, ...(ownerId ? { userId: ownerId } : {}) } });
    return row ? toSessionRecord(row) : undefined;
  }

  /** Locks the row for the rest of the transaction, serializing with appends and other updates. */
  async lock(id: string, ownerId: string | undefined, tx: PrismaTx = this.prisma): Promise<SessionRecord | undefined> {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM sessions WHERE id = ${id}::uuid
        AND (${ownerId ?? null}::text IS NULL OR user_id = ${ownerId ?? null}::text)
      FOR UPDATE`;
    if (rows.length === 0) return undefined;
    return this.findById(id, undefined, tx);
  }

  /** Changes the given fields only; JSON as text cast to jsonb (see create). */
  async update(id: string, changes: SessionChanges, tx: PrismaTx = this.prisma): Promise<SessionRecord> {
    const json = (value: JsonObject | undefined) => (value === undefined ? null : JSON.stringify(value));
    await tx.$executeRaw`
      UPDATE sessions SET
        name = CASE WHEN ${changes.name !== undefined}::boolean THEN ${changes.name ?? null}::text ELSE name END,
        metadata = coalesce(${json(changes.metadata)}::jsonb, metadata),
        state = coalesce(${json(changes.state)}::jsonb, state),
        status = coalesce(${changes.status ?? null}::text, status),
        closed_at = CASE WHEN ${changes.closedAt !== undefined}::boolean THEN ${changes.closedAt ?? null}::timestamptz ELSE closed_at END
      WHERE id = ${id}::uuid`;
    return (await this.findById(id, undefined, tx))!;
  }

  /** Replaces what the session's agent remembers between turns (written with an answer). */
  async setAgentContext(id: string, context: JsonObject, tx: PrismaTx = this.prisma): Promise<void> {
    await tx.$executeRaw`UPDATE sessions SET agent_context = ${JSON.stringify(context)}::jsonb WHERE id = ${id}::uuid`;
  }

  /** Newest first, keyset-paginated on (created_at, id); each filter combination has an index. */
  async list(filter: SessionListFilter): Promise<SessionRecord[]> {
    const where: Prisma.SessionWhereInput = {};
    if (filter.ownerId) where.userId = filter.ownerId;
    if (filter.agentId) where.agentId = filter.agentId;
    if (filter.status) where.status = filter.status;
    if (filter.parentId) where.parentId = filter.parentId;
    if (filter.before) {
      const { createdAt, id } = filter.before;
      where.OR = [{ createdAt: { lt: createdAt } }, { createdAt, id: { lt: id } }];
    }
    const rows = await this.prisma.session.findMany({
      where,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: filter.limit,
    });
    return rows.map(toSessionRecord);
  }

  /** Ancestor ids from the parent up to the root (bounded, in case of a corrupted cycle). */
  async ancestorIds(id: string): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      WITH RECURSIVE chain(id, parent_id, depth) AS (
        SELECT s.id, s.parent_id, 0 FROM sessions s WHERE s.id = ${id}::uuid
        UNION ALL
        SELECT p.id, p.parent_id, c.depth + 1 FROM sessions p JOIN chain c ON p.id = c.parent_id WHERE c.depth < 100
      )
      SELECT id FROM chain WHERE depth > 0 ORDER BY depth`;
    return rows.map((row) => row.id);
  }

  async findMany(ids: string[], ownerId?: string): Promise<SessionRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.prisma.session.findMany({
      where: { id: { in: ids }, ...(ownerId ? { userId: ownerId } : {}) },
    });
    return rows.map(toSessionRecord);
  }

  /** Ids of sessions whose TTL has passed but that are not yet marked expired. */
  async findExpired(statuses: readonly SessionStatus[], limit: number): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      SELECT id FROM sessions
      WHERE expires_at IS NOT NULL AND expires_at <= now() AND status IN (${sqlList(statuses)})
      ORDER BY expires_at LIMIT ${limit}`;
    return rows.map((row) => row.id);
  }
}
