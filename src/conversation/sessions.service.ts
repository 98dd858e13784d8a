import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AgentCatalog } from '../platform/config/agent-config.js';
import {
  agentReadScope,
  assertCanWrite,
  ownerScope,
  seesAgent,
  writeScope,
  type AuthContext,
} from '../identity/auth/auth-context.js';
import { DomainError, Errors } from '../platform/errors/domain-error.js';
import { isJsonObject, mergePatch, type JsonObject } from '../platform/json/json.js';
import { fetchPage, keysetCursor } from '../platform/http/pagination.js';
import { AppConfig } from '../platform/config/app-config.js';
import { checkWebhookUrl } from '../platform/webhooks/url-guard.js';
import { newWebhookSecret } from '../platform/webhooks/webhook-signature.js';
import type { CreateSessionDto, OpenSessionDto } from './http/dto/create-session.dto.js';
import type { ListSessionsQuery } from './http/dto/list-sessions.query.js';
import type { UpdateSessionDto } from './http/dto/update-session.dto.js';
import type { SavedSessionWebhook, SessionWebhookInput } from './records/session-webhook.record.js';
import { CLOSED_STATUSES, isWritable, type SessionRecord, type SessionStatus } from './records/session.record.js';
import { SessionsRepository } from './store/sessions.repository.js';
import { UnitOfWork, type ConversationStores } from './store/unit-of-work.js';
import { EXPIRABLE_SESSION_STATUSES, nextSessionStatus } from './status.machine.js';

export interface KeyedSession {
  session: SessionRecord;
  /** false when the caller already had a session with the key */
  created: boolean;
}

/** A session after a create or PATCH, with its webhook when the call set one. */
export interface SessionWithWebhook {
  session: SessionRecord;
  webhook?: SavedSessionWebhook;
}

/** A webhook that passed the URL check, ready to be written (the secret is kept only if this creates it). */
interface CheckedWebhook {
  url: string;
  token: string | null;
  secret: string;
}

export interface SessionPage {
  data: SessionRecord[];
  nextCursor: string | null;
}

@Injectable()
export class SessionsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly sessions: SessionsRepository,
    private readonly agents: AgentCatalog,
    private readonly config: AppConfig,
  ) {}

  /**
   * Opens a session; an initial state is recorded as its first event so replay needs nothing else. A webhook's
   * URL is checked (DNS included) before the transaction, so no lock waits on a lookup and a refused URL stores
   * nothing; the session and its webhook then commit together.
   */
  async create(auth: AuthContext, input: OpenSessionDto): Promise<SessionWithWebhook> {
    assertCanWrite(auth);
    const { webhook, ...fields } = input;
    const checked = webhook ? await this.checkWebhook(webhook) : undefined;
    return this.uow.transaction(async (stores) => {
      const session = await this.createIn(stores, auth, fields);
      return { session, webhook: checked && (await saveWebhook(stores, session, checked)) };
    });
  }

  /** `create` inside the caller's transaction, so a session can be opened together with its first message. */
  async createIn(
    stores: ConversationStores,
    auth: AuthContext,
    input: CreateSessionDto,
    id: string = randomUUID(),
  ): Promise<SessionRecord> {
    return (await this.open(stores, auth, input, id))!;
  }

  /**
   * Get-or-create by the client's key (unique per user): the caller's session with this key (created: false),
   * or a new one (created: true). Concurrent calls create one session; a session with this key for another
   * agent is a 409 session/key_conflict.
   */
  async putByKey(auth: AuthContext, key: string, input: CreateSessionDto): Promise<KeyedSession> {
    assertCanWrite(auth);
    return this.uow.transaction(async (stores) => {
      const created = await this.open(stores, auth, input, randomUUID(), key);
      if (created) return { session: created, created: true };
      const existing = await stores.sessions.findByKey(await this.ownerOf(stores, auth, input), key);
      if (!existing) throw Errors.sessionNotFound();
      if (existing.agentId !== input.agentId) throw Errors.sessionKeyConflict(existing.agentId);
      return { session: existing, created: false };
    });
  }

  /** Opens a session; undefined when `key` is given and its owner already has a session with it. */
  private async open(
    stores: ConversationStores,
    auth: AuthContext,
    input: CreateSessionDto,
    id: string,
    key?: string,
  ): Promise<SessionRecord | undefined> {
    assertCanWrite(auth);
    if (!this.agents.has(input.agentId)) throw Errors.unknownAgent(input.agentId);
    const expiresAt = input.ttlSeconds ? new Date(Date.now() + input.ttlSeconds * 1000) : null;
    const userId = await this.ownerOf(stores, auth, input);
    await stores.sessions.ensureUser(userId);
    const session = await stores.sessions.insert({ ...input, id, userId, expiresAt, key });
    if (!session) return undefined;
    if (input.state && Object.keys(input.state).length > 0) {
      await appendSystemEvent(stores, id, 'state', { state: input.state });
    }
    return (await stores.sessions.findById(id))!;
  }

  /** A child session belongs to its parent's owner; any other to the caller. */
  private async ownerOf(stores: ConversationStores, auth: AuthContext, input: CreateSessionDto): Promise<string> {
    return input.parentId ? (await this.lockOpenParent(stores, auth, input.parentId)).userId : auth.userId;
  }

  async get(auth: AuthContext, id: string): Promise<SessionRecord> {
    const session = await this.sessions.findById(id, agentReadScope(auth));
    if (!session || !seesAgent(auth, session.agentId)) throw Errors.sessionNotFound();
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
    const page = await fetchPage(
      query.limit,
      (limit) => this.sessions.list({ ...filter, limit }),
      (session) => keysetCursor.encode(session),
    );
    return { data: page.data, nextCursor: page.next };
  }

  /**
   * Renames and merge-patches metadata and state (a state change is recorded as a `state` event), and sets
   * (`webhook`) or removes (`webhook: null`) the session's webhook in the same transaction (URL checked first).
   */
  async update(auth: AuthContext, id: string, input: UpdateSessionDto): Promise<SessionWithWebhook> {
    assertCanWrite(auth);
    const checked = input.webhook ? await this.checkWebhook(input.webhook) : undefined;
    return this.uow.transaction(async (stores) => {
      const session = await stores.sessions.lock(id, writeScope(auth));
      if (!session) throw Errors.sessionNotFound();
      if (!isWritable(session)) throw Errors.sessionClosed(this.effectiveStatus(session));
      const metadata = input.metadata ? asObject(mergePatch(session.metadata, input.metadata)) : undefined;
      const state = input.state ? asObject(mergePatch(session.state, input.state)) : undefined;
      await stores.sessions.update(id, { name: input.name, metadata, state });
      if (input.state) await appendSystemEvent(stores, id, 'state', { patch: input.state, state: state! });
      if (input.webhook === null) await stores.webhooks.delete(id);
      const webhook = checked && (await saveWebhook(stores, session, checked));
      return { session: (await stores.sessions.findById(id))!, webhook };
    });
  }

  /** Creates the session's webhook (its secret returned once) or changes its URL and token: the owner's call. */
  async setWebhook(auth: AuthContext, sessionId: string, input: SessionWebhookInput): Promise<SavedSessionWebhook> {
    assertCanWrite(auth);
    if (!(await this.sessions.findById(sessionId, writeScope(auth)))) throw Errors.sessionNotFound();
    const checked = await this.checkWebhook(input);
    return this.uow.transaction(async (stores) => {
      const session = await stores.sessions.lock(sessionId, writeScope(auth));
      if (!session) throw Errors.sessionNotFound();
      return saveWebhook(stores, session, checked);
    });
  }

  /** Removes the session's webhook and its pending deliveries; false when it had none. */
  async removeWebhook(auth: AuthContext, sessionId: string): Promise<boolean> {
    assertCanWrite(auth);
    return this.uow.transaction(async (stores) => {
      if (!(await stores.sessions.lock(sessionId, writeScope(auth)))) throw Errors.sessionNotFound();
      return stores.webhooks.delete(sessionId);
    });
  }

  /** Ends a session: status `closed`, unfinished tasks canceled, history kept. Closing twice is a no-op. */
  async close(auth: AuthContext, id: string): Promise<void> {
    assertCanWrite(auth);
    await this.uow.transaction(async (stores) => {
      const session = await stores.sessions.lock(id, writeScope(auth));
      if (!session) throw Errors.sessionNotFound();
      if (!nextSessionStatus(session.status, 'close')) return;
      await stores.tasks.cancelOpen(id, 'session closed');
      await setStatus(stores, id, 'closed', 'closed by client');
    });
  }

  /** Marks a session whose TTL has passed as expired (idempotent); used by the sweeper and on write. */
  async expire(id: string): Promise<boolean> {
    return this.uow.transaction(async (stores) => {
      const session = await stores.sessions.lock(id, undefined);
      if (!session || !nextSessionStatus(session.status, 'expire') || isWritable(session)) return false;
      await stores.tasks.cancelOpen(id, 'session expired');
      await setStatus(stores, id, 'expired', 'ttl elapsed');
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
  /** The parent, locked so it cannot close while its child is opened; it must still take writes. */
  private async lockOpenParent(
    stores: ConversationStores,
    auth: AuthContext,
    parentId: string,
  ): Promise<SessionRecord> {
    const parent = await stores.sessions.lock(parentId, writeScope(auth));
    if (!parent) throw new DomainError('session/parent_not_found', 'parent session not found', 400);
    if (!isWritable(parent)) throw Errors.parentNotWritable(this.effectiveStatus(parent));
    return parent;
  }

  /** The SSRF check (unless WEBHOOK_ALLOW_PRIVATE): a 400 webhook/url_refused before anything is written. */
  private async checkWebhook(input: SessionWebhookInput): Promise<CheckedWebhook> {
    await checkWebhookUrl(input.url, this.config.webhooks.allowPrivate);
    return { url: input.url, token: input.token ?? null, secret: newWebhookSecret() };
  }

  private effectiveStatus(session: SessionRecord): SessionStatus {
    return isWritable(session) || CLOSED_STATUSES.includes(session.status) ? session.status : 'expired';
  }
}

async function saveWebhook(
  stores: ConversationStores,
  session: SessionRecord,
  checked: CheckedWebhook,
): Promise<SavedSessionWebhook> {
  const saved = await stores.webhooks.upsert({ ownerId: session.userId, sessionId: session.id, ...checked });
  return saved.created ? { webhook: saved.webhook, secret: checked.secret } : { webhook: saved.webhook };
}

async function setStatus(stores: ConversationStores, id: string, status: SessionStatus, reason: string): Promise<void> {
  await stores.sessions.update(id, { status, closedAt: status === 'active' ? null : new Date() });
  await appendSystemEvent(stores, id, 'status', { status, reason });
}

/** State and status changes are events too, so replaying the events alone rebuilds them. */
async function appendSystemEvent(
  stores: ConversationStores,
  sessionId: string,
  type: 'state' | 'status',
  data: JsonObject,
) {
  const event = {
    id: randomUUID(),
    sessionId,
    type,
    role: 'system' as const,
    parts: [{ kind: 'data' as const, data }],
  };
  await stores.appends.append(event, { requireOpen: false });
}

function asObject(value: unknown): JsonObject {
  return isJsonObject(value) ? value : {};
}
