import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { assertCanWrite, ownerScope, writeScope, type AuthContext } from '../identity/auth/auth-context.js';
import { Errors } from '../platform/errors/domain-error.js';
import { cursorCodec, fetchPage } from '../platform/http/pagination.js';
import type { JsonObject } from '../platform/json/json.js';
import type { EventRecord, HistoryEditType, Part } from './records/event.record.js';
import { CLOSED_STATUSES, isWritable } from './records/session.record.js';
import { HistoryRepository, type HistoryItem } from './store/history.repository.js';
import { SessionsRepository } from './store/sessions.repository.js';
import { UnitOfWork, type ConversationStores } from './store/unit-of-work.js';

/** History pages are ordered by (position, seq): see HistoryRepository. */
const historyCursor = cursorCodec({ position: 'int', seq: 'int' });

export interface HistoryPage {
  items: HistoryItem[];
  nextCursor: string | null;
}

export interface Reverted {
  event: EventRecord;
  removed: EventRecord[];
}

/**
 * The effective history of a session, as agent frameworks keep it: items can be reverted, reset and compacted.
 * Each edit is an event of its own (role system, in the hash chain) that says which history positions it
 * hides; the events it hides stay in the log, so GET /events and the chain are unchanged.
 */
@Injectable()
export class HistoryService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly sessions: SessionsRepository,
    private readonly history: HistoryRepository,
  ) {}

  async page(auth: AuthContext, sessionId: string, cursor: string | undefined, limit: number): Promise<HistoryPage> {
    const after = cursor ? historyCursor.decode(cursor) : undefined;
    if (!(await this.sessions.findById(sessionId, ownerScope(auth)))) throw Errors.sessionNotFound();
    const page = await fetchPage(
      limit,
      (take) => this.history.page(sessionId, after, take),
      (item) => historyCursor.encode({ position: item.position, seq: item.seq }),
    );
    return { items: page.data, nextCursor: page.next };
  }

  /** Removes the last `count` items of the effective history; 409 history/empty when there is none. */
  async revert(auth: AuthContext, sessionId: string, count: number): Promise<Reverted> {
    return this.edit(auth, sessionId, async (stores) => {
      const removed = await stores.history.last(sessionId, count);
      if (removed.length === 0) throw Errors.historyEmpty();
      const data = { items: removed.length, removedSeqs: removed.map((item) => item.seq) };
      const event = await appendEdit(stores, sessionId, 'revert', [{ kind: 'data', data }], {
        hidesFrom: removed[0].position,
      });
      return { event, removed };
    });
  }

  /** Clears the effective history. */
  async reset(auth: AuthContext, sessionId: string): Promise<EventRecord> {
    return this.edit(auth, sessionId, (stores) =>
      appendEdit(stores, sessionId, 'reset', [{ kind: 'data', data: { reset: true } }], { hidesFrom: 0 }),
    );
  }

  /** Replaces the items up to `throughSeq` by one summary item, which takes their place. */
  async compact(auth: AuthContext, sessionId: string, throughSeq: number, summary: Part[]): Promise<EventRecord> {
    return this.edit(auth, sessionId, (stores, eventCount) => {
      if (throughSeq > eventCount) {
        throw Errors.badRequest(
          'history/invalid_through_seq',
          `the session has ${eventCount} events; throughSeq must be at most that`,
        );
      }
      const hides = { throughSeq, hidesFrom: 0, hidesTo: throughSeq };
      return appendEdit(stores, sessionId, 'compaction', summary, hides);
    });
  }

  /** An edit by the session's owner, under the session's row lock; only while the session takes writes. */
  private async edit<T>(
    auth: AuthContext,
    sessionId: string,
    work: (stores: ConversationStores, eventCount: number) => Promise<T>,
  ): Promise<T> {
    assertCanWrite(auth);
    return this.uow.transaction(async (stores) => {
      const session = await stores.sessions.lock(sessionId, writeScope(auth));
      if (!session) throw Errors.sessionNotFound();
      if (!isWritable(session)) {
        throw Errors.sessionClosed(CLOSED_STATUSES.includes(session.status) ? session.status : 'expired');
      }
      return work(stores, session.eventCount);
    });
  }
}

async function appendEdit(
  stores: ConversationStores,
  sessionId: string,
  type: HistoryEditType,
  parts: Part[],
  metadata: JsonObject,
): Promise<EventRecord> {
  const appended = await stores.appends.append(
    { id: randomUUID(), sessionId, type, role: 'system', parts, metadata },
    { requireOpen: true },
  );
  if (!appended) throw Errors.sessionNotFound();
  return appended.event;
}
