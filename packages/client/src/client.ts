import createClient, { type Client } from 'openapi-fetch';
import { randomUUID } from 'node:crypto';
import { ApiError, type ErrorBody } from './errors.js';
import { retryingFetch, type RetryOptions } from './retry.js';
import { followSession, type StreamOptions } from './sse.js';
import type { components, paths } from './generated/api.js';
import type {
  AppendEventBody,
  AppendResult,
  ChainReport,
  Claim,
  ClaimBody,
  CreateSessionBody,
  Event,
  EventPage,
  HistoryEdit,
  HistoryPage,
  JsonObject,
  Part,
  RecordTurnBody,
  RecordTurnResult,
  Reverted,
  Session,
  SessionPage,
  Step,
  StreamMessage,
  Task,
  TaskPage,
  TaskResult,
  UpdateSessionBody,
} from './types.js';

export interface AgentSessionClientOptions {
  /** the service's address, e.g. http://localhost:3000 */
  baseUrl: string;
  /** a bearer token (`npm run token -- create …`) */
  token: string;
  retry?: RetryOptions;
  /** defaults to the global fetch */
  fetch?: (request: Request) => Promise<Response>;
}

type GeneratedTurnBody = components['schemas']['RecordTurnDto'];
type Answer<T> = { data?: T; error?: unknown; response: Response };

/**
 * A typed client for the agent session service. Every method maps to one endpoint; the raw typed client
 * (openapi-fetch over the service's OpenAPI document) is `api`, for anything not wrapped here.
 */
export class AgentSessionClient {
  readonly api: Client<paths>;
  private readonly fetcher: (request: Request) => Promise<Response>;

  constructor(readonly options: AgentSessionClientOptions) {
    this.fetcher = retryingFetch(options.fetch ?? ((request) => fetch(request)), options.retry);
    this.api = createClient<paths>({
      baseUrl: options.baseUrl.replace(/\/$/, ''),
      headers: { Authorization: `Bearer ${options.token}` },
      fetch: this.fetcher,
    });
  }

  // Sessions

  async createSession(body: CreateSessionBody): Promise<Session> {
    return this.unwrap('create session', await this.api.POST('/v1/sessions', { body }));
  }

  /** Get-or-create by the caller's own key (unique per user): 201 created or 200 existing. */
  async sessionByKey(key: string, body: CreateSessionBody): Promise<{ session: Session; created: boolean }> {
    const answer = await this.api.PUT('/v1/sessions/by-key/{key}', { params: { path: { key } }, body });
    return { session: this.unwrap('session by key', answer), created: answer.response.status === 201 };
  }

  async getSession(id: string): Promise<Session> {
    return this.unwrap('get session', await this.api.GET('/v1/sessions/{id}', { params: { path: { id } } }));
  }

  /** Like getSession, but undefined for a session that does not exist or the caller may not see (404). */
  async findSession(id: string): Promise<Session | undefined> {
    return this.getSession(id).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    });
  }

  async listSessions(
    query: { agentId?: string; status?: Session['status']; limit?: number; cursor?: string } = {},
  ): Promise<SessionPage> {
    return this.unwrap('list sessions', await this.api.GET('/v1/sessions', { params: { query } }));
  }

  async updateSession(id: string, body: UpdateSessionBody): Promise<Session> {
    const answer = await this.api.PATCH('/v1/sessions/{id}', { params: { path: { id } }, body });
    return this.unwrap('update session', answer);
  }

  /** Ends the session (status closed); its history is kept. */
  async closeSession(id: string): Promise<void> {
    this.unwrap('close session', await this.api.DELETE('/v1/sessions/{id}', { params: { path: { id } } }), true);
  }

  /** The session state; with `scopes: 'all'` merged with its `user:` and `app:` scopes. */
  async getState(id: string, options: { scopes?: 'all'; at?: number } = {}): Promise<JsonObject> {
    const answer = await this.api.GET('/v1/sessions/{id}/state', { params: { path: { id }, query: options } });
    return this.unwrap('get state', answer).state;
  }

  async verify(id: string): Promise<ChainReport> {
    return this.unwrap('verify', await this.api.GET('/v1/sessions/{id}/verify', { params: { path: { id } } }));
  }

  // Events

  /**
   * Posts a user message. The event id is the idempotency key: one is chosen here when the body has none, so a
   * retried request returns the original instead of posting twice. `wait` waits for the answer (`response`).
   */
  async appendEvent(sessionId: string, body: AppendEventBody, options: { wait?: boolean } = {}): Promise<AppendResult> {
    const answer = await this.api.POST('/v1/sessions/{id}/events', {
      params: { path: { id: sessionId }, query: options.wait ? { wait: true } : {} },
      body: { ...body, id: body.id ?? randomUUID() },
    });
    // The OpenAPI document also lists the streamed (text/event-stream) answer; this call asks for JSON.
    return this.unwrap('append event', answer) as AppendResult;
  }

  /** Shorthand: post a text message. */
  async sendText(sessionId: string, text: string, options: { wait?: boolean } = {}): Promise<AppendResult> {
    return this.appendEvent(sessionId, { parts: [{ kind: 'text', text }] }, options);
  }

  async listEvents(sessionId: string, query: { after?: number; limit?: number } = {}): Promise<EventPage> {
    const answer = await this.api.GET('/v1/sessions/{id}/events', { params: { path: { id: sessionId }, query } });
    return this.unwrap('list events', answer);
  }

  /** Every event of the session after `after`, page by page. */
  async *allEvents(sessionId: string, after = 0): AsyncGenerator<Event> {
    for (let cursor: number | null = after; cursor !== null;) {
      const page: EventPage = await this.listEvents(sessionId, { after: cursor, limit: 200 });
      yield* page.data;
      cursor = page.nextAfter;
    }
  }

  /** Follows the session live over SSE (see followSession): an async iterator that resumes after drops. */
  streamEvents(sessionId: string, options: StreamOptions = {}): AsyncGenerator<StreamMessage> {
    return followSession((id, lastSeq, signal) => this.openStream(id, lastSeq, signal), sessionId, options);
  }

  // Tasks

  async getTask(id: string): Promise<Task> {
    return this.unwrap('get task', await this.api.GET('/v1/tasks/{id}', { params: { path: { id } } }));
  }

  async listTasks(sessionId: string, query: { after?: number; limit?: number } = {}): Promise<TaskPage> {
    const answer = await this.api.GET('/v1/sessions/{id}/tasks', { params: { path: { id: sessionId }, query } });
    return this.unwrap('list tasks', answer);
  }

  async cancelTask(id: string): Promise<Task> {
    return this.unwrap('cancel task', await this.api.POST('/v1/tasks/{id}/cancel', { params: { path: { id } } }));
  }

  // Recorded turns and history

  /** Records a turn the agent ran in this process, in one transaction; `turnId` makes retries safe. */
  async recordTurn(
    sessionId: string,
    body: Omit<RecordTurnBody, 'turnId'> & { turnId?: string },
  ): Promise<RecordTurnResult> {
    const answer = await this.api.POST('/v1/sessions/{id}/turns', {
      params: { path: { id: sessionId } },
      // Step arguments are any JSON value (see Step): the generated type cannot say so.
      body: { ...body, turnId: body.turnId ?? randomUUID() } as GeneratedTurnBody,
    });
    return this.unwrap('record turn', answer);
  }

  /** One page of the effective history (messages, tool calls and results, compaction summaries), oldest first. */
  async getHistory(sessionId: string, query: { limit?: number; cursor?: string } = {}): Promise<HistoryPage> {
    const answer = await this.api.GET('/v1/sessions/{id}/history', { params: { path: { id: sessionId }, query } });
    return this.unwrap('get history', answer);
  }

  /** The whole effective history, oldest first. */
  async allHistory(sessionId: string): Promise<Event[]> {
    const items: Event[] = [];
    for (let cursor: string | undefined, first = true; first || cursor; first = false) {
      const page = await this.getHistory(sessionId, { limit: 200, cursor });
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    }
    return items;
  }

  /** Removes the last `items` items from the effective history; 409 history/empty when there are none. */
  async revertHistory(sessionId: string, items = 1): Promise<Reverted> {
    const params = { path: { id: sessionId } };
    return this.unwrap('revert', await this.api.POST('/v1/sessions/{id}/history/revert', { params, body: { items } }));
  }

  /** Clears the effective history; the events stay in GET /events and the hash chain. */
  async resetHistory(sessionId: string): Promise<HistoryEdit> {
    const params = { path: { id: sessionId } };
    return this.unwrap('reset', await this.api.POST('/v1/sessions/{id}/history/reset', { params }));
  }

  /** Replaces the history items with seq <= throughSeq by one summary item. */
  async compactHistory(sessionId: string, throughSeq: number, summary: { parts: Part[] }): Promise<HistoryEdit> {
    const answer = await this.api.POST('/v1/sessions/{id}/history/compaction', {
      params: { path: { id: sessionId } },
      body: { throughSeq, summary },
    });
    return this.unwrap('compact history', answer);
  }

  // Pull workers (agent tokens)

  async claimTasks(agentId: string, body: ClaimBody = {}, signal?: AbortSignal): Promise<Claim[]> {
    const params = { path: { agentId } };
    return this.unwrap('claim', await this.api.POST('/v1/agents/{agentId}/tasks/claim', { params, body, signal }))
      .claims;
  }

  async postSteps(taskId: string, leaseId: string, steps: Step[]): Promise<Event[]> {
    const params = { path: { id: taskId } };
    const answer = await this.api.POST('/v1/tasks/{id}/steps', {
      params,
      body: { leaseId, steps: steps },
    });
    return this.unwrap('post steps', answer).events;
  }

  async heartbeat(taskId: string, leaseId: string, leaseMs?: number): Promise<{ leaseExpiresAt: string }> {
    const params = { path: { id: taskId } };
    const body = { leaseId, ...(leaseMs ? { leaseMs } : {}) };
    const answer = await this.api.POST('/v1/tasks/{id}/heartbeat', { params, body });
    return this.unwrap('heartbeat', answer);
  }

  async settleTask(taskId: string, leaseId: string, result: TaskResult): Promise<Task> {
    const params = { path: { id: taskId } };
    const body = { leaseId, ...result } as components['schemas']['TaskResultDto'];
    const answer = await this.api.POST('/v1/tasks/{id}/result', { params, body });
    return this.unwrap('settle task', answer).task;
  }

  // Plumbing

  private async openStream(sessionId: string, lastSeq: number, signal?: AbortSignal): Promise<Response> {
    const url = `${this.options.baseUrl.replace(/\/$/, '')}/v1/sessions/${sessionId}/stream?after=${lastSeq}`;
    const headers = { Authorization: `Bearer ${this.options.token}`, Accept: 'text/event-stream' };
    const response = await fetch(url, { headers, signal });
    if (!response.ok) throw new ApiError(response.status, (await readBody(response)) as ErrorBody, 'stream');
    return response;
  }

  /** A request to a path by hand, through the same retrying fetch and error handling. */
  async send<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Answer<T>> {
    const request = new Request(`${this.options.baseUrl.replace(/\/$/, '')}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${this.options.token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    const response = await this.fetcher(request);
    const parsed = await readBody(response);
    return response.ok ? { data: parsed as T, response } : { error: parsed, response };
  }

  private unwrap<T>(what: string, answer: Answer<T>, empty = false): T {
    if (!answer.response.ok || answer.error !== undefined) {
      throw new ApiError(answer.response.status, answer.error as ErrorBody | string | undefined, what);
    }
    if (answer.data === undefined && !empty) throw new ApiError(answer.response.status, 'empty answer', what);
    return answer.data as T;
  }
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
