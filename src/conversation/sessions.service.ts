import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AgentCatalog } from '../platform/config/agent-config.js';
import { assertCanWrite, ownerScope, writeScope, type AuthContext } from '../identity/auth/auth-context.js';
import { DomainError, Errors } from '../platform/errors/domain-error.js';
import { isJsonObject, mergePatch, type JsonObject } from '../platform/json/json.js';
import { fetchPage, keysetCursor } from '../platform/http/pagination.js';
import { PrismaService, type PrismaTx } from '../platform/database/prisma.service.js';
import { EventsRepository } from './store/events.repository.js';
import { TasksRepository } from './store/tasks.repository.js';
import type { CreateSessionDto } from './http/dto/create-session.dto.js';
import type { ListSessionsQuery } from './http/dto/list-sessions.query.js';
import type { UpdateSessionDto } from './http/dto/update-session.dto.js';
import { CLOSED_STATUSES, isWritable, type SessionRecord, type SessionStatus } from './records/session.record.js';
import { SessionsRepository } from './store/sessions.repository.js';
import { EXPIRABLE_SESSION_STATUSES } from './status.machine.js';

export interface SessionPage {
  data: SessionRecord[];
  nextCursor: string | null;
}

@Injectable()
export class SessionsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sessions: SessionsRepository,
    private readonly events: EventsRepository,
    private readonly tasks: TasksRepository,
    private readonly agents: AgentCatalog,
  ) {}

  /** Opens a session; an initial state is recorded as its first event so replay needs nothing else. */
  async create(auth: AuthContext, input: CreateSessionDto): Promise<SessionRecord> {
    assertCanWrite(auth);
    if (!this.agents.has(input.agentId)) throw Errors.unknownAgent(input.agentId);
    const id = randomUUID();
    const expiresAt = input.ttlSeconds ? new Date(Date.now() + input.ttlSeconds * 1000) : null;
    return this.prisma.$transaction(async (tx) => {
      const userId = input.parentId ? (await this.lockOpenParent(auth, input.parentId, tx)).userId : auth.userId;
      await this.sessions.ensureUser(userId, tx);
      await this.sessions.create({ ...input, id, userId, expiresAt }, tx);
      if (input.state && Object.keys(input.state).length > 0) {
        await this.appendSystemEvent(tx, id, 'state', { state: input.state });
      }
      return (await this.sessions.findById(id, undefined, tx))!;
    });
  }

  async get(auth: AuthContext, id: string): Promise<SessionRecord> {
    const session = await this.sessions.findById(id, ownerScope(auth));
    if (!session) throw Errors.sessionNotFound();
    return session;
  }

  /** Direct children of a session, newest first. */
  async children(auth: AuthContext, id: string, query: ListSessionsQuery): Promise<SessionPage> {
    await this.get(auth, id);
    return this.list(auth, query, id);
  }

  /** The chain of parents from the session's parent up to the root. */
  async ancestors(auth: AuthContext, id: string): Promise<SessionRecord[]> {
    await this.get(auth, id);
    const ids = await this.sessions.ancestorIds(id);
    const found = new Map((await this.sessions.findMany(ids, ownerScope(auth))).map((s) => [s.id, s]));
    return ids.map((ancestorId) => found.get(ancestorId)).filter((s): s is SessionRecord => !!s);
  }

  async list(auth: AuthContext, query: ListSessionsQuery, parentId?: string): Promise<SessionPage> {
    const before = query.cursor ? keysetCursor.decode(query.cursor) : undefined;
    const filter = { ownerId: ownerScope(auth), parentId, agentId: query.agentId, status: query.status, before };
    const page = await fetchPage(query.limit, (limit) => this.sessions.list({ ...filter, limit }), keysetCursor.encode);
    return { data: page.data, nextCursor: page.next };
  }

  /** Renames and merge-patches metadata and state; a state change is recorded as a `state` event. */
  async update(auth: AuthContext, id: string, input: UpdateSessionDto): Promise<SessionRecord> {
    assertCanWrite(auth);
    return this.prisma.$transaction(async (tx) => {
      const session = await this.sessions.lock(id, writeScope(auth), tx);
      if (!session) throw Errors.sessionNotFound();
      if (!isWritable(session)) throw Errors.sessionClosed(this.effectiveStatus(session));
      const metadata = input.metadata ? asObject(mergePatch(session.metadata, input.metadata)) : undefined;
      const state = input.state ? asObject(mergePatch(session.state, input.state)) : undefined;
      await this.sessions.update(id, { name: input.name, metadata, state }, tx);
      if (input.state) await this.appendSystemEvent(tx, id, 'state', { patch: input.state, state: state! });
      return (await this.sessions.findById(id, undefined, tx))!;
    });
  }

  /** Ends a session: status `closed`, unfinished tasks canceled, history kept. Closing twice is a no-op. */
  async close(auth: AuthContext, id: string): Promise<void> {
    assertCanWrite(auth);
    await this.prisma.$transaction(async (tx) => {
      const session = await this.sessions.lock(id, writeScope(auth), tx);
      if (!session) throw Errors.sessionNotFound();
      if (session.status === 'closed') return;
      await this.tasks.cancelOpen(id, 'session closed', tx);
      await this.setStatus(tx, id, 'closed', 'closed by client');
    });
  }

  /** Marks a session whose TTL has passed as expired (idempotent); used by the sweeper and on write. */
  async expire(id: string): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const session = await this.sessions.lock(id, undefined, tx);
      if (!session || CLOSED_STATUSES.includes(session.status) || isWritable(session)) return false;
      await this.tasks.cancelOpen(id, 'session expired', tx);
      await this.setStatus(tx, id, 'expired', 'ttl elapsed');
      return true;
    });
  }

  /** Expires up to `limit` sessions whose TTL has passed (the sweeper's round). */
  async expireDue(limit: number): Promise<{ found: number; expired: number }> {
    const ids = await this.sessions.findExpired(EXPIRABLE_SESSION_STATUSES, limit);
    let expired = 0;
    for (const id of ids) if (await this.expire(id)) expired++;
    return { found: ids.length, expired };
  }

  /** The parent, locked until the child exists so it cannot close in between; it must still accept writes. */
  private async lockOpenParent(auth: AuthContext, parentId: string, tx: PrismaTx): Promise<SessionRecord> {
    const parent = await this.sessions.lock(parentId, writeScope(auth), tx);
    if (!parent) throw new DomainError('session/parent_not_found', 'parent session not found', 400);
    if (!isWritable(parent)) throw Errors.parentNotWritable(this.effectiveStatus(parent));
    return parent;
  }

  private effectiveStatus(session: SessionRecord): SessionStatus {
    return isWritable(session) || CLOSED_STATUSES.includes(session.status) ? session.status : 'expired';
  }

  private async setStatus(tx: PrismaTx, id: string, status: SessionStatus, reason: string): Promise<void> {
    await this.sessions.update(id, { status, closedAt: status === 'active' ? null : new Date() }, tx);
    await this.appendSystemEvent(tx, id, 'status', { status, reason });
  }

  private async appendSystemEvent(tx: PrismaTx, sessionId: string, type: 'state' | 'status', data: JsonObject) {
    await this.events.append(
      { id: randomUUID(), sessionId, type, role: 'system', parts: [{ kind: 'data', data }] },
      { requireOpen: false },
      tx,
    );
  }
}

function asObject(value: unknown): JsonObject {
  return isJsonObject(value) ? value : {};
}
