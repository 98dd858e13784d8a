import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { assertAdmin, ownerScope, type AuthContext } from '../../identity/auth/auth-context.js';
import { Errors } from '../../platform/errors/domain-error.js';
import { cursorCodec, fetchPage } from '../../platform/http/pagination.js';
import { isJsonObject, type JsonObject } from '../../platform/json/json.js';
import type { SessionStatus } from '../../conversation/records/session.record.js';
import { ConversationReader } from '../../conversation/conversation.reader.js';
import { nextSessionStatus, type SessionChange } from '../../conversation/status.machine.js';
import {
  AccessLogService,
  type AccessLogFilter,
  type AccessRecord,
} from '../../identity/access-log/access-log.service.js';
import { ChainRepository, type ChainLink, type ReplayPoint } from './chain.repository.js';

const PAGE = 1_000;

/** The access log is newest first by its bigint id. */
const accessLogCursor = cursorCodec({ id: 'bigint' });

export interface ChainReport {
  sessionId: string;
  valid: boolean;
  eventCount: number;
  checked: number;
  /** the first seq whose row no longer matches its hash (or is missing); null when intact */
  firstBrokenSeq: number | null;
  reason: string | null;
}

export interface AccessLogPage {
  data: AccessRecord[];
  nextCursor: string | null;
}

export type AccessLogQueryFilter = Omit<AccessLogFilter, 'limit' | 'beforeId'> & { cursor?: string };

export interface ReplayedState {
  sessionId: string;
  at: number;
  state: JsonObject;
  status: SessionStatus;
}

@Injectable()
export class AuditService {
  constructor(
    private readonly chain: ChainRepository,
    private readonly reader: ConversationReader,
    private readonly accessLog: AccessLogService,
  ) {}

  /** Admins only: reads of conversation data, newest first. */
  async accessLogPage(auth: AuthContext, filter: AccessLogQueryFilter, limit: number): Promise<AccessLogPage> {
    assertAdmin(auth);
    const { cursor, ...where } = filter;
    const beforeId = cursor ? accessLogCursor.decode(cursor).id : undefined;
    const fetch = (take: number) => this.accessLog.list({ ...where, beforeId, limit: take });
    const page = await fetchPage(limit, fetch, (row) => accessLogCursor.encode({ id: BigInt(row.id) }));
    return { data: page.data, nextCursor: page.next };
  }

  async verify(auth: AuthContext, sessionId: string): Promise<ChainReport> {
    if (!(await this.reader.session(sessionId, ownerScope(auth)))) throw Errors.sessionNotFound();
    return this.verifySession(sessionId);
  }

  /** Recomputes the chain from the rows as they are now, in constant memory. */
  async verifySession(sessionId: string): Promise<ChainReport> {
    const head = await this.chain.head(sessionId);
    if (!head) throw Errors.sessionNotFound();
    const report = (checked: number, firstBrokenSeq: number | null, reason: string | null): ChainReport => ({
      sessionId,
      valid: firstBrokenSeq === null,
      eventCount: head.eventCount,
      checked,
      firstBrokenSeq,
      reason,
    });
    let previous: Buffer = Buffer.alloc(0);
    let expectedSeq = 1;
    for (;;) {
      const links = await this.chain.links(sessionId, expectedSeq - 1, PAGE);
      for (const link of links) {
        if (link.seq !== expectedSeq) return report(expectedSeq - 1, expectedSeq, 'event missing');
        if (!matches(previous, link)) return report(expectedSeq - 1, link.seq, 'event content does not match its hash');
        previous = link.hash;
        expectedSeq++;
      }
      if (links.length < PAGE) break;
    }
    const checked = expectedSeq - 1;
    if (checked !== head.eventCount) return report(checked, checked + 1, 'event missing');
    if (checked > 0 && !head.lastHash?.equals(previous))
      return report(checked, checked, 'session head does not match the last event');
    return report(checked, null, null);
  }

  /** Every session, in id order; `onReport` sees each result. Returns how many were broken. */
  async verifyAll(onReport: (report: ChainReport) => void): Promise<{ sessions: number; broken: number }> {
    let after: string | null = null;
    let sessions = 0;
    let broken = 0;
    for (;;) {
      const ids = await this.chain.sessionIdsAfter(after, 500);
      for (const id of ids) {
        const report = await this.verifySession(id);
        sessions++;
        if (!report.valid) broken++;
        onReport(report);
      }
      if (ids.length < 500) return { sessions, broken };
      after = ids[ids.length - 1];
    }
  }

  /** The current state with its scoped keys; `at` is for replays and cannot be combined with it. */
  async scopedState(
    auth: AuthContext,
    sessionId: string,
    at: number | undefined,
  ): Promise<{ sessionId: string; state: JsonObject }> {
    const session = await this.reader.session(sessionId, ownerScope(auth));
    if (!session) throw Errors.sessionNotFound();
    if (at !== undefined) {
      throw Errors.badRequest('replay/scopes_with_at', 'scopes=all shows the current state; leave out at');
    }
    return { sessionId, state: await this.reader.mergedState(session) };
  }

  /** The session's state and status as they were right after event `at`, rebuilt from events alone. */
  async stateAt(auth: AuthContext, sessionId: string, at: number): Promise<ReplayedState> {
    const session = await this.reader.session(sessionId, ownerScope(auth));
    if (!session) throw Errors.sessionNotFound();
    if (at > session.eventCount) {
      throw Errors.badRequest(
        'replay/beyond_end',
        `the session has ${session.eventCount} events; at must be at most that`,
      );
    }
    const points = await this.chain.replayPoints(sessionId, at);
    const state =
      isJsonObject(points.state?.data) && isJsonObject(points.state.data.state) ? points.state.data.state : {};
    return { sessionId, at, state, status: statusFrom(points.status) };
  }
}

function statusFrom(point: ReplayPoint | undefined): SessionStatus {
  if (!point) return 'active';
  if (point.type === 'status' && isJsonObject(point.data) && typeof point.data.status === 'string') {
    return point.data.status as SessionStatus;
  }
  // Replayed from 'active': what the last user message or answer did, by the conversation's state machine.
  const change: SessionChange =
    point.role === 'user'
      ? 'user_message'
      : point.taskStatus === 'input_required'
        ? 'agent_asked'
        : point.endSession
          ? 'agent_ended'
          : 'agent_answered';
  return nextSessionStatus('active', change) ?? 'active';
}

/** Whether the event's hash chains from `previous` (for a priced event, in either canonical form of its cost). */
function matches(previous: Buffer, link: ChainLink): boolean {
  const hashOf = (canonical: string) => createHash('sha256').update(previous).update(canonical, 'utf8').digest();
  if (hashOf(link.canonical).equals(link.hash)) return true;
  return link.legacyCanonical !== null && hashOf(link.legacyCanonical).equals(link.hash);
}
