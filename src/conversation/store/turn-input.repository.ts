import { Inject, Injectable } from '@nestjs/common';
import { Prisma, type Session } from '../../generated/prisma/client.js';
import { PrismaService, type PrismaTx } from '../../platform/database/prisma.service.js';
import { isJsonObject, type JsonObject } from '../../platform/json/json.js';
import type { EventRecord } from '../records/event.record.js';
import type { SessionRecord } from '../records/session.record.js';
import { toEventRecord, type EventRow } from './events.repository.js';
import { toSessionRecord } from './sessions.repository.js';

/** `sessions` columns (alias `s`) with the names of Prisma's Session model, so toSessionRecord reads them. */
const SESSION_COLUMNS = Prisma.raw(`s.id, s.user_id AS "userId", s.agent_id AS "agentId", s.name, s.status,
  s.metadata, s.state, s.parent_id AS "parentId", s.created_at AS "createdAt", s.last_activity_at AS "lastActivityAt",
  s.expires_at AS "expiresAt", s.closed_at AS "closedAt", s.event_count AS "eventCount", s.turn_count AS "turnCount",
  s.prompt_tokens AS "promptTokens", s.completion_tokens AS "completionTokens", s.cost_usd AS "costUsd",
  s.unpriced_answers AS "unpricedAnswers", s.key, s.agent_context AS "agentContext"`);

/** An event (alias `e`) as a JSON object with EventRow's names; the hash as hex. */
const EVENT_JSON = Prisma.raw(`json_build_object('id', e.id, 'sessionId', e.session_id, 'seq', e.seq, 'type', e.type,
  'role', e.role, 'parts', e.parts, 'taskId', e.task_id, 'metadata', e.metadata, 'model', e.model,
  'promptTokens', e.prompt_tokens, 'completionTokens', e.completion_tokens, 'costUsd', e.cost_usd,
  'createdAt', e.created_at, 'hash', encode(e.hash, 'hex'), 'parentId', e.parent_id)`);

/** What an agent is shown for a turn, as stored. */
export interface TurnInputRows {
  session: SessionRecord;
  /** oldest first */
  recent: EventRecord[];
  user: JsonObject;
  app: JsonObject;
}

type TurnInputRow = Session & { userState: unknown; appState: unknown; recent: (EventRow & { hash: string })[] };

/** The reads of a turn's run as one statement (one round trip, one snapshot). */
@Injectable()
export class TurnInputRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaTx) {}

  /** The session, its user and app state, and its last `limit` events up to `uptoSeq`; undefined without the session. */
  async read(sessionId: string, uptoSeq: number, limit: number): Promise<TurnInputRows | undefined> {
    const rows = await this.prisma.$queryRaw<TurnInputRow[]>`
      SELECT ${SESSION_COLUMNS}, u.state AS "userState", a.state AS "appState",
             coalesce((SELECT json_agg(r.event ORDER BY r.seq) FROM (
               SELECT e.seq, ${EVENT_JSON} AS event FROM events e
               WHERE e.session_id = s.id AND e.seq <= ${uptoSeq}
               ORDER BY e.seq DESC LIMIT ${limit}) r), '[]') AS recent
      FROM sessions s
        LEFT JOIN user_states u ON u.user_id = s.user_id AND u.agent_id = s.agent_id
        LEFT JOIN app_states a ON a.agent_id = s.agent_id
      WHERE s.id = ${sessionId}::uuid`;
    const row = rows[0];
    if (!row) return undefined;
    return {
      session: toSessionRecord(row),
      recent: row.recent.map((event) => toEventRecord({ ...event, hash: Buffer.from(event.hash, 'hex') })),
      user: asObject(row.userState),
      app: asObject(row.appState),
    };
  }
}

function asObject(value: unknown): JsonObject {
  return isJsonObject(value) ? value : {};
}
