import { isApiError, type AgentSessionClient, type CreateSessionBody, type Event } from '@agent-session/client';
import type { AgentInputItem, Session } from '@openai/agents';
import { compactionSummary, eventsToItems, eventToItem, isPlaceholder, itemsToTurns } from './items.js';

export type AgentSessionServiceSessionOptions = {
  client: AgentSessionClient;
} & (
  | { sessionId: string }
  /** get-or-create by your own key (unique per user), e.g. `user-123-support-chat` */
  | { key: string; create: CreateSessionBody }
  /** a new session, created on first use */
  | { create: CreateSessionBody }
);

/**
 * An OpenAI Agents SDK `Session` kept by the agent session service: every run's items are recorded as turns
 * (`POST /turns`), read back from the effective history (`GET /history`), and edited with history events
 * (revert, reset, compaction), so the service's audit trail and hash chain hold the whole conversation.
 */
export class AgentSessionServiceSession implements Session {
  private readonly client: AgentSessionClient;
  private sessionId?: string;
  private creating?: Promise<string>;

  constructor(private readonly options: AgentSessionServiceSessionOptions) {
    this.client = options.client;
    if ('sessionId' in options) this.sessionId = options.sessionId;
  }

  async getSessionId(): Promise<string> {
    if (this.sessionId) return this.sessionId;
    this.creating ??= this.open().then((id) => (this.sessionId = id));
    return this.creating;
  }

  private async open(): Promise<string> {
    const options = this.options as { key?: string; create: CreateSessionBody };
    if (options.key) return (await this.client.sessionByKey(options.key, options.create)).session.id;
    return (await this.client.createSession(options.create)).id;
  }

  /** The effective history as items; with `limit`, the latest `limit` items, oldest first. */
  async getItems(limit?: number): Promise<AgentInputItem[]> {
    const items = eventsToItems(await this.client.allHistory(await this.getSessionId()));
    return limit === undefined ? items : limit <= 0 ? [] : items.slice(-limit);
  }

  /** Records the items as turns, one per user message (see itemsToTurns), each in one transaction. */
  async addItems(items: AgentInputItem[]): Promise<void> {
    if (items.length === 0) return;
    const id = await this.getSessionId();
    for (const turn of itemsToTurns(items)) await this.client.recordTurn(id, turn);
  }

  /** Removes the latest item from the effective history (a revert event) and returns it. */
  async popItem(): Promise<AgentInputItem | undefined> {
    const id = await this.getSessionId();
    for (;;) {
      let removed: Event[];
      try {
        removed = (await this.client.revertHistory(id, 1)).removed;
      } catch (error) {
        if (isApiError(error, 'history/empty')) return undefined;
        throw error;
      }
      const event = removed[removed.length - 1];
      if (!event) return undefined;
      if (!isPlaceholder(event)) return eventToItem(event);
    }
  }

  /** Clears the effective history (a reset event); the recorded events stay in the audit trail. */
  async clearSession(): Promise<void> {
    await this.client.resetHistory(await this.getSessionId());
  }

  /**
   * Replaces the history by a compaction item and the items it keeps: when the kept items are the current
   * history's tail, one compaction event replaces everything before them; otherwise reset and re-record.
   */
  async replaceHistoryWithCompaction(items: AgentInputItem[]): Promise<void> {
    const [marker, ...kept] = items;
    if (!marker) return this.clearSession();
    const id = await this.getSessionId();
    const history = (await this.client.allHistory(id)).filter((event) => !isPlaceholder(event));
    const start = history.length - kept.length;
    const tail = history.slice(start).map((event) => JSON.stringify(eventToItem(event)));
    const matches = start > 0 && tail.every((item, i) => item === JSON.stringify(kept[i]));
    if (matches) {
      await this.client.compactHistory(id, history[start - 1].seq, compactionSummary(marker));
      return;
    }
    await this.client.resetHistory(id);
    await this.addItems(items);
  }
}
