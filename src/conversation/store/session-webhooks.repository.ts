import { Inject, Injectable } from '@nestjs/common';
import { PrismaService, type PrismaTx } from '../../platform/database/prisma.service.js';
import type { SessionWebhookRecord } from '../records/session-webhook.record.js';

export interface NewSessionWebhook {
  ownerId: string;
  sessionId: string;
  url: string;
  token: string | null;
  secret: string;
}

/** The `webhooks` rows of kind 'session': one per session (the delivery module reads them). */
@Injectable()
export class SessionWebhooksRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaTx) {}

  /**
   * Creates the session's webhook, or changes its URL and token (keeping its secret), in one statement, so two
   * concurrent writes cannot create two; `created` says which happened (xmax is 0 on a freshly inserted row).
   */
  async upsert(webhook: NewSessionWebhook): Promise<{ webhook: SessionWebhookRecord; created: boolean }> {
    const [row] = await this.prisma.$queryRaw<(SessionWebhookRecord & { created: boolean })[]>`
      INSERT INTO webhooks (kind, owner_id, session_id, url, token, secret)
      VALUES ('session', ${webhook.ownerId}, ${webhook.sessionId}::uuid, ${webhook.url}, ${webhook.token}, ${webhook.secret})
      ON CONFLICT (session_id) WHERE kind = 'session'
      DO UPDATE SET url = EXCLUDED.url, token = EXCLUDED.token, updated_at = now()
      RETURNING id, session_id AS "sessionId", url, token, created_at AS "createdAt", updated_at AS "updatedAt",
        (xmax = 0) AS created`;
    const { created, ...rest } = row;
    return { webhook: rest, created };
  }

  /** Removes the session's webhook (its deliveries go with it); false when it had none. */
  async delete(sessionId: string): Promise<boolean> {
    const removed = await this.prisma.$executeRaw`
      DELETE FROM webhooks WHERE session_id = ${sessionId}::uuid AND kind = 'session'`;
    return removed > 0;
  }
}
