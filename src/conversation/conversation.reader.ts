import { Injectable } from '@nestjs/common';
import pLimit from 'p-limit';
import { AppConfig } from '../platform/config/app-config.js';
import type { EventRecord, StreamedEvent } from './records/event.record.js';
import type { SessionRecord } from './records/session.record.js';
import type { AgentTaskCursor, AgentTaskFilter, TaskRecord, TaskStatus } from './records/task.record.js';
import { EventsRepository } from './store/events.repository.js';
import { SessionsRepository } from './store/sessions.repository.js';
import { TasksRepository } from './store/tasks.repository.js';
import { ScopedStateRepository } from './store/scoped-state.repository.js';
import { HistoryRepository } from './store/history.repository.js';
import { TurnInputRepository } from './store/turn-input.repository.js';
import { mergedState } from './records/scoped-state.js';
import type { JsonObject } from '../platform/json/json.js';
import type { BudgetLease, MemoryBudget } from '../platform/http/stream-budget.js';
import { StreamedEventsRepository, type BoundedEventPage } from './store/streamed-events.repository.js';

export interface PageBudget {
  rows: number;
  bytes: number;
  /** shared with other readers: a page's bytes are taken from it before the page is read (see eventPages) */
  memory?: MemoryBudget;
}

const FIRST_PAGE_ROWS = 16;

export interface TurnInput {
  session: SessionRecord;
  /** oldest first, the trigger event last */
  recent: EventRecord[];
  /** the session's state with its user: and app: keys */
  state: JsonObject;
}

/**
 * The read side of the conversation for other modules (runtime, live, oversight, a2a). It applies no
 * authorization: callers pass `ownerId` when a caller's scope applies, or have checked access already.
 */
@Injectable()
export class ConversationReader {
  /** History pages for streams and exports share half the pool, so many of them cannot starve requests (or /health). */
  private readonly bulkReads: pLimit.Limit;

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly events: EventsRepository,
    private readonly tasks: TasksRepository,
    private readonly scopedState: ScopedStateRepository,
    private readonly history: HistoryRepository,
    private readonly turnInputs: TurnInputRepository,
    private readonly streamed: StreamedEventsRepository,
    config: AppConfig,
  ) {
    this.bulkReads = pLimit(Math.max(1, Math.floor(config.database.poolMax / 2)));
  }

  session(id: string, ownerId?: string): Promise<SessionRecord | undefined> {
    return this.sessions.findById(id, ownerId);
  }

  /**
   * The session's state with its scoped keys: the session's own, the user's with this agent as `user:<key>` and
   * the agent's as `app:<key>` (what agents are shown and GET /state?scopes=all answers).
   */
  async mergedState(session: SessionRecord): Promise<JsonObject> {
    const { user, app } = await this.scopedState.read(session.userId, session.agentId);
    return mergedState(session.state, user, app);
  }

  /**
   * What an agent is shown for a turn: the session, its merged state (as `mergedState`) and its last `limit`
   * events up to `uptoSeq`, read by one statement; undefined when the session is gone.
   */
  async turnInput(sessionId: string, uptoSeq: number, limit: number): Promise<TurnInput | undefined> {
    const read = await this.turnInputs.read(sessionId, uptoSeq, limit);
    if (!read) return undefined;
    const { session, recent, user, app } = read;
    return { session, recent, state: mergedState(session.state, user, app) };
  }

  /** An event of this session (event ids are unique within a session only). */
  event(sessionId: string, id: string): Promise<EventRecord | undefined> {
    return this.events.findById(sessionId, id);
  }

  /** One page of a session's history in seq order, after `after`. */
  eventsAfter(sessionId: string, after: number, limit: number): Promise<EventRecord[]> {
    return this.events.listAfter(sessionId, after, limit);
  }

  /**
   * A session's history after `after` (events as text, see StreamedEvent), page by page, each page at most
   * `budget.rows` events and `budget.bytes` bytes of JSON, or one event when that alone is bigger. Pages are read
   * only as the caller asks for them, so a caller that awaits its client between pages holds one page at a time;
   * with `budget.memory`, its bytes are held there from before the page is read until the caller asks for the
   * next page or stops. Row counts adapt to the events' size, which keeps the database from sizing many big rows
   * only to return a few.
   */
  async *eventPages(sessionId: string, after: number, budget: PageBudget): AsyncGenerator<StreamedEvent[]> {
    let rows = Math.min(budget.rows, FIRST_PAGE_ROWS);
    let lease: BudgetLease | undefined;
    try {
      for (;;) {
        lease?.release();
        const read = await this.boundedPage(sessionId, after, rows, budget);
        lease = read.lease;
        const { events, bytes, ended } = read.page;
        const count = events.length;
        if (count === 0) return;
        after = events[count - 1].seq;
        // The caller may empty the page as it goes (to let go of events it has sent).
        yield events;
        if (ended) return;
        const fitting = Math.floor(budget.bytes / Math.max(1, bytes / count));
        rows = Math.max(1, Math.min(budget.rows, rows * 4, fitting + 1));
      }
    } finally {
      lease?.release();
    }
  }

  /** One page, its bytes held in `budget.memory`; an event bigger than a page is read alone once its size is held. */
  private async boundedPage(
    sessionId: string,
    after: number,
    rows: number,
    budget: PageBudget,
  ): Promise<{ page: BoundedEventPage; lease?: BudgetLease }> {
    for (;;) {
      const lease = await budget.memory?.acquire(budget.bytes);
      const page = await this.bulkRead(lease, () => this.streamed.pageAfter(sessionId, after, rows, budget.bytes));
      if (!page.next) {
        lease?.shrinkTo(page.bytes);
        return { page, lease };
      }
      lease?.release();
      const { seq, bytes } = page.next;
      const held = await budget.memory?.acquire(bytes);
      const event = await this.bulkRead(held, () => this.streamed.eventAt(sessionId, seq));
      if (event) return { page: { events: [event], bytes, ended: false }, lease: held };
      held?.release(); // purged since it was sized: read on from the same place
    }
  }

  /** A read of history pages within half the pool; `lease` is given back if it fails. */
  private bulkRead<T>(lease: BudgetLease | undefined, read: () => Promise<T>): Promise<T> {
    return this.bulkReads(read).catch((error: unknown) => {
      lease?.release();
      throw error;
    });
  }

  /**
   * The last `limit` items of the effective history (after reverts, resets and compactions) that come before
   * `beforeSeq` (a compaction summary sits at the seq it summarizes through), oldest first: the conversation as an agent framework keeps it.
   */
  recentHistory(sessionId: string, beforeSeq: number, limit: number): Promise<EventRecord[]> {
    return this.history.last(sessionId, limit, beforeSeq);
  }

  /** The last `limit` events up to and including `uptoSeq`, oldest first. */
  recentEvents(sessionId: string, uptoSeq: number, limit: number): Promise<EventRecord[]> {
    return this.events.recent(sessionId, uptoSeq, limit);
  }

  eventsOfTasks(taskIds: string[]): Promise<EventRecord[]> {
    return this.events.listByTasks(taskIds);
  }

  task(id: string, ownerId?: string): Promise<TaskRecord | undefined> {
    return this.tasks.findById(id, ownerId);
  }

  taskStatuses(ids: string[]): Promise<Map<string, TaskStatus>> {
    return this.tasks.statuses(ids);
  }

  agentTasks(filter: AgentTaskFilter, before: AgentTaskCursor | undefined, limit: number): Promise<TaskRecord[]> {
    return this.tasks.listForAgent(filter, before, limit);
  }

  countAgentTasks(filter: AgentTaskFilter): Promise<number> {
    return this.tasks.countForAgent(filter);
  }
}
