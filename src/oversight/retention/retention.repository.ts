import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../platform/database/prisma.service.js';

export interface PurgedSession {
  sessionId: string;
  userId: string;
  eventCount: number;
}

@Injectable()
export class RetentionRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Deletes up to `limit` whole sessions inactive since before `cutoff` (events and tasks go with them) and
   * records each in purge_log, in one transaction. The events trigger allows deletes only when
   * app.allow_purge is set for this transaction.
   */
  async purgeBatch(
    cutoff: Date,
    retentionDays: number,
    purgedBy: string,
    limit: number,
    dryRun: boolean,
  ): Promise<PurgedSession[]> {
    return this.prisma.$transaction(async (tx) => {
      if (dryRun) {
        const rows = await tx.session.findMany({
          where: { lastActivityAt: { lt: cutoff } },
          select: { id: true, userId: true, eventCount: true },
          orderBy: { lastActivityAt: 'asc' },
          take: limit,
        });
        return rows.map((row) => ({ sessionId: row.id, userId: row.userId, eventCount: row.eventCount }));
      }
      await tx.$executeRaw`SELECT set_config('app.allow_purge', 'on', true)`;
      return tx.$queryRaw<PurgedSession[]>`
        WITH doomed AS (
          SELECT id FROM sessions WHERE last_activity_at < ${cutoff} ORDER BY last_activity_at LIMIT ${limit} FOR UPDATE SKIP LOCKED
        ), gone AS (
          DELETE FROM sessions s USING doomed d WHERE s.id = d.id
          RETURNING s.id, s.user_id, s.agent_id, s.created_at, s.last_activity_at, s.event_count
        ), logged AS (
          INSERT INTO purge_log (session_id, user_id, agent_id, session_created_at, last_activity_at, event_count, retention_days, purged_by)
          SELECT id, user_id, agent_id, created_at, last_activity_at, event_count, ${retentionDays}, ${purgedBy} FROM gone
          RETURNING session_id, user_id, event_count
        )
        SELECT session_id AS "sessionId", user_id AS "userId", event_count AS "eventCount" FROM logged`;
    });
  }
}
