import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../platform/database/prisma.service.js';

export interface ChainLink {
  seq: number;
  hash: Buffer;
  /** the event's canonical text, recomputed by the database from the row as it is now */
  canonical: string;
  /**
   * For a priced event, the canonical text as appends before 2026-11-30 hashed it: with the cost as the agent
   * reported it (0.004) rather than as the numeric(12,6) column stores it (0.004000); null otherwise.
   */
  legacyCanonical: string | null;
}

export interface ChainHead {
  eventCount: number;
  lastHash: Buffer | null;
}

export interface ReplayPoint {
  seq: number;
  type: string;
  role: string;
  data: unknown;
  taskStatus: string | null;
  endSession: boolean;
}

@Injectable()
export class ChainRepository {
  constructor(private readonly prisma: PrismaService) {}

  async links(sessionId: string, afterSeq: number, limit: number): Promise<ChainLink[]> {
    const rows = await this.prisma.$queryRaw<
      { seq: number; hash: Uint8Array; canonical: string; legacyCanonical: string | null }[]
    >`
      SELECT seq, hash, event_canonical(id, session_id, seq, type, role, parts, task_id, metadata, model,
             prompt_tokens, completion_tokens, cost_usd, created_at, parent_id) AS canonical,
             CASE WHEN scale(cost_usd) > scale(trim_scale(cost_usd)) THEN event_canonical(id, session_id, seq, type, role, parts, task_id, metadata, model,
                      prompt_tokens, completion_tokens, trim_scale(cost_usd), created_at, parent_id)
             END AS "legacyCanonical"
      FROM events WHERE session_id = ${sessionId}::uuid AND seq > ${afterSeq}
      ORDER BY seq LIMIT ${limit}`;
    return rows.map((row) => ({
      seq: Number(row.seq),
      hash: Buffer.from(row.hash),
      canonical: row.canonical,
      legacyCanonical: row.legacyCanonical,
    }));
  }

  async head(sessionId: string): Promise<ChainHead | undefined> {
    const row = await this.prisma.session.findUnique({
      where: { id: sessionId },
      select: { eventCount: true, lastHash: true },
    });
    return row ? { eventCount: row.eventCount, lastHash: row.lastHash ? Buffer.from(row.lastHash) : null } : undefined;
  }

  async sessionIdsAfter(afterId: string | null, limit: number): Promise<string[]> {
    const rows = await this.prisma.session.findMany({
      where: afterId ? { id: { gt: afterId } } : {},
      orderBy: { id: 'asc' },
      select: { id: true },
      take: limit,
    });
    return rows.map((row) => row.id);
  }

  /**
   * The events that decide a session's state and status at a seq: the last `state` event, and the last event
   * that changes status (a `status` event, an agent answer that asks for input, or a user message), both ≤ seq.
   */
  async replayPoints(sessionId: string, at: number): Promise<{ state?: ReplayPoint; status?: ReplayPoint }> {
    const pick = (kinds: string) =>
      this.prisma.$queryRawUnsafe<ReplayPoint[]>(
        `SELECT seq, type, role, parts->0->'data' AS data, metadata->>'taskStatus' AS "taskStatus",
              coalesce(metadata->>'endSession' = 'true', false) AS "endSession"
       FROM events WHERE session_id = $1::uuid AND seq <= $2 AND ${kinds}
       ORDER BY seq DESC LIMIT 1`,
        sessionId,
        at,
      );
    const [state, status] = await Promise.all([
      pick(`type = 'state'`),
      pick(
        // an agent's intermediate messages (steps, with a parent) do not end its task
        `(type = 'status' OR (role = 'agent' AND type IN ('message', 'error') AND parent_id IS NULL) OR (role = 'user' AND type = 'message'))`,
      ),
    ]);
    return { state: state[0], status: status[0] };
  }
}
