import type { AgentSessionClient, Session as ServiceSession } from '@agent-session/client';
import {
  BaseSessionService,
  isFinalResponse,
  type AppendEventRequest,
  type CreateSessionRequest,
  type DeleteSessionRequest,
  type Event,
  type GetSessionRequest,
  type ListSessionsRequest,
  type ListSessionsResponse,
  type Session,
} from '@google/adk';
import { randomUUID } from 'node:crypto';
import { invocationToTurn, toAdkEvent } from './events.js';
import { hasAppKeys, mergeDeltas, withoutTemp } from './state.js';

export interface AgentSessionServiceOptions {
  /** the client for a user (a token of that user), or one client for every ADK user id */
  client: AgentSessionClient | ((userId: string) => AgentSessionClient);
  /**
   * A client whose token may write `app:` state: an admin token (the service refuses app: keys from user tokens
   * with 403 state/app_scope_forbidden). An invocation whose state delta has app: keys is recorded through it,
   * so the turn and the app-state write stay one transaction; every other invocation goes through the user's
   * client. Without it, an invocation that writes app: state fails to record.
   */
  appStateClient?: AgentSessionClient;
  /** the service's agent id for an ADK app name (default: the app name itself) */
  agentIdFor?: (appName: string) => string;
}

type AdkMeta = { appName: string; userId: string; sessionId?: string };
type Buffered = { events: Event[]; deltas: Array<Record<string, unknown> | undefined>; flushes: number };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KEY_CHARS = /^[A-Za-z0-9._:@-]+$/;

/** The by-key name of an ADK session created with its own id. */
export function sessionKey(appName: string, sessionId: string): string {
  const key = `adk:${appName}:${sessionId}`;
  if (KEY_CHARS.test(key) && key.length <= 200) return key;
  return `adk:${Buffer.from(JSON.stringify([appName, sessionId])).toString('base64url')}`.slice(0, 200);
}

function adkMeta(session: ServiceSession): AdkMeta | undefined {
  return (session.metadata as { adk?: AdkMeta }).adk;
}

/**
 * An ADK `BaseSessionService` kept by the agent session service. ADK appends an invocation's events one by one;
 * this buffers them and records the invocation as one turn (`POST /turns`, turn id = invocation id) when its
 * final response arrives, with the merged state delta as the turn's state patch (user: and app: scopes
 * included, temp: dropped). Until then the events live only in this process (see README: durability).
 */
export class AgentSessionService extends BaseSessionService {
  private readonly buffers = new Map<string, Buffered>();

  constructor(private readonly options: AgentSessionServiceOptions) {
    super();
  }

  private clientFor(userId: string): AgentSessionClient {
    const { client } = this.options;
    return typeof client === 'function' ? client(userId) : client;
  }

  private agentIdFor(appName: string): string {
    return this.options.agentIdFor?.(appName) ?? appName;
  }

  override async createSession(request: CreateSessionRequest): Promise<Session> {
    const { appName, userId, sessionId } = request;
    const client = this.clientFor(userId);
    const body = {
      agentId: this.agentIdFor(appName),
      metadata: { adk: { appName, userId, ...(sessionId ? { sessionId } : {}) } },
      state: withoutTemp(request.state),
    };
    const created = sessionId
      ? (await client.sessionByKey(sessionKey(appName, sessionId), body)).session
      : await client.createSession(body);
    return this.load(client, created, sessionId ?? created.id, {});
  }

  /**
   * A session with its effective history as events. An id of your own (createSession with `sessionId`) is
   * looked up by key, which creates the session when it does not exist: the service offers get-or-create by key
   * only.
   */
  override async getSession(request: GetSessionRequest): Promise<Session | undefined> {
    const client = this.clientFor(request.userId);
    const found = await this.find(client, request.appName, request.userId, request.sessionId);
    return found ? this.load(client, found, request.sessionId, request.config ?? {}) : undefined;
  }

  override async listSessions(request: ListSessionsRequest): Promise<ListSessionsResponse> {
    const client = this.clientFor(request.userId ?? '');
    const all: Session[] = [];
    for (let cursor: string | undefined, first = true; first || cursor; first = false) {
      const page = await client.listSessions({ agentId: this.agentIdFor(request.appName), limit: 100, cursor });
      for (const dto of page.data) {
        const adk = adkMeta(dto);
        if (!adk || adk.appName !== request.appName || dto.status === 'closed') continue;
        if (request.userId !== undefined && adk.userId !== request.userId) continue;
        all.push(summary(dto, adk));
      }
      cursor = page.nextCursor ?? undefined;
    }
    return paginate(all, request);
  }

  /** Ends the session (status closed); the service keeps its history for audit. */
  override async deleteSession(request: DeleteSessionRequest): Promise<void> {
    const client = this.clientFor(request.userId);
    const found = await this.find(client, request.appName, request.userId, request.sessionId);
    if (found) await client.closeSession(found.id);
  }

  override async appendEvent({ session, event }: AppendEventRequest): Promise<Event> {
    if (event.partial) return event;
    const delta = event.actions?.stateDelta ? { ...event.actions.stateDelta } : undefined;
    await super.appendEvent({ session, event });
    const buffer = this.buffers.get(session.id) ?? { events: [], deltas: [], flushes: 0 };
    if (buffer.events[0]?.invocationId !== event.invocationId)
      Object.assign(buffer, { events: [], deltas: [], flushes: 0 });
    buffer.events.push(event);
    buffer.deltas.push(delta);
    this.buffers.set(session.id, buffer);
    if (event.author !== 'user' && isFinalResponse(event)) await this.flush(session, buffer);
    session.lastUpdateTime = event.timestamp;
    return event;
  }

  /** Records the buffered invocation as one turn (through the app-state client when it writes app: keys). */
  private async flush(session: Session, buffer: Buffered): Promise<void> {
    const client = this.clientFor(session.userId);
    const target = await this.find(client, session.appName, session.userId, session.id);
    if (!target) throw new Error(`session ${session.id} not found in the agent session service`);
    const patch = mergeDeltas(buffer.deltas);
    const writer = hasAppKeys(patch) ? (this.options.appStateClient ?? client) : client;
    const first = buffer.events[0];
    const turnId = `${first.invocationId || randomUUID()}${buffer.flushes ? `:${buffer.flushes}` : ''}`;
    await writer.recordTurn(target.id, { turnId, ...invocationToTurn(buffer.events, patch) });
    buffer.flushes += 1;
    buffer.events = [];
    buffer.deltas = [];
  }

  private async find(client: AgentSessionClient, appName: string, userId: string, sessionId: string) {
    const dto = UUID.test(sessionId)
      ? await client.findSession(sessionId)
      : (
          await client.sessionByKey(sessionKey(appName, sessionId), {
            agentId: this.agentIdFor(appName),
            metadata: { adk: { appName, userId, sessionId } },
          })
        ).session;
    const adk = dto ? adkMeta(dto) : undefined;
    if (!dto || !adk || dto.status === 'closed' || adk.appName !== appName || adk.userId !== userId) return undefined;
    return dto;
  }

  private async load(
    client: AgentSessionClient,
    dto: ServiceSession,
    id: string,
    config: NonNullable<GetSessionRequest['config']>,
  ): Promise<Session> {
    const [history, state] = await Promise.all([client.allHistory(dto.id), client.getState(dto.id, { scopes: 'all' })]);
    let events = history.map(toAdkEvent).filter((event): event is Event => event !== undefined);
    if (config.afterTimestamp) events = events.filter((event) => event.timestamp >= config.afterTimestamp!);
    if (config.numRecentEvents) events = events.slice(-config.numRecentEvents);
    const adk = adkMeta(dto)!;
    return {
      id,
      appName: adk.appName,
      userId: adk.userId,
      state: state,
      events,
      lastUpdateTime: Date.parse(dto.lastActivityAt),
    };
  }
}

function summary(dto: ServiceSession, adk: AdkMeta): Session {
  return {
    id: adk.sessionId ?? dto.id,
    appName: adk.appName,
    userId: adk.userId,
    state: {},
    events: [],
    lastUpdateTime: Date.parse(dto.lastActivityAt),
  };
}

function paginate(all: Session[], request: ListSessionsRequest): ListSessionsResponse {
  const order = request.order ?? 'desc';
  all.sort((a, b) => (order === 'asc' ? 1 : -1) * (a.lastUpdateTime - b.lastUpdateTime) || a.id.localeCompare(b.id));
  const totalItems = all.length;
  if (request.limit === undefined) {
    const sessions = all.slice(request.offset ?? 0);
    return { sessions, page: 1, limit: totalItems, totalItems, totalPages: totalItems === 0 ? 0 : 1 };
  }
  const limit = request.limit;
  const offset = request.page !== undefined ? (request.page - 1) * limit : (request.offset ?? 0);
  const page = request.page ?? (limit === 0 ? 1 : Math.floor(offset / limit) + 1);
  const totalPages = limit === 0 ? 0 : Math.ceil(totalItems / limit);
  return { sessions: all.slice(offset, offset + limit), page, limit, totalItems, totalPages };
}
