import { Injectable } from '@nestjs/common';
import { Prisma, type WebhookDelivery } from '../generated/prisma/client.js';
import { PrismaService } from '../platform/database/prisma.service.js';
import type {
  AttemptLogEntry,
  AttemptOutcome,
  DeliveryRecord,
  DeliveryStatus,
  DeliveryTopic,
} from './webhook.record.js';

const COLUMNS =
  Prisma.raw(`d.id, d.webhook_id AS "webhookId", d.session_id AS "sessionId", d.task_id AS "taskId", d.topic,
  d.task_status AS "taskStatus", d.event_id AS "eventId", d.event_seq AS "eventSeq", d.status, d.attempts,
  d.next_attempt_at AS "nextAttemptAt", d.last_attempt_at AS "lastAttemptAt", d.last_status_code AS "lastStatusCode",
  d.last_error AS "lastError", d.delivered_at AS "deliveredAt", d.attempt_log AS "attemptLog", d.created_at AS "createdAt"`);

function toRecord(row: WebhookDelivery): DeliveryRecord {
  return {
    ...row,
    id: Number(row.id),
    topic: row.topic as DeliveryTopic,
    status: row.status as DeliveryStatus,
    attemptLog: row.attemptLog as unknown as AttemptLogEntry[],
  };
}

/** The outbox: rows are written by triggers (see the webhook_deliveries migration); this claims and records. */
@Injectable()
export class DeliveriesRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Claims up to `limit` due deliveries: each is the oldest pending one of its webhook (a webhook hears its
   * deliveries in order), counts an attempt and is leased until `leaseMs` from now, after which another
   * worker (or this one after a restart) may take it again. SKIP LOCKED keeps instances from waiting on or
   * double-claiming each other's rows.
   */
  async claim(limit: number, leaseMs: number): Promise<DeliveryRecord[]> {
    const rows = await this.prisma.$queryRaw<WebhookDelivery[]>`
      WITH picked AS (
        SELECT c.id FROM webhook_deliveries c
        WHERE c.status = 'pending' AND c.next_attempt_at <= now()
          AND NOT EXISTS (
            SELECT 1 FROM webhook_deliveries p
            WHERE p.webhook_id = c.webhook_id AND p.status = 'pending' AND p.id < c.id)
        ORDER BY c.next_attempt_at
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )
      UPDATE webhook_deliveries d SET attempts = d.attempts + 1, last_attempt_at = now(),
        next_attempt_at = now() + ${leaseMs}::int * interval '1 millisecond'
      FROM picked WHERE d.id = picked.id
      RETURNING ${COLUMNS}`;
    return rows.map(toRecord);
  }

  /**
   * Records an attempt's outcome, unless the row was claimed again since (its lease ran out). A retry is due
   * `retryInMs` from the database's clock, the one the claim compares with.
   */
  async record(delivery: DeliveryRecord, outcome: AttemptOutcome): Promise<void> {
    const status: DeliveryStatus = outcome.delivered
      ? 'delivered'
      : outcome.retryInMs !== undefined
        ? 'pending'
        : 'failed';
    await this.prisma.$executeRaw`
      UPDATE webhook_deliveries SET status = ${status}, last_status_code = ${outcome.statusCode ?? null}::int,
        last_error = ${outcome.error ?? null}, delivered_at = CASE WHEN ${outcome.delivered}::boolean THEN now() END,
        next_attempt_at = CASE WHEN ${outcome.retryInMs ?? null}::int IS NULL THEN next_attempt_at
          ELSE now() + ${outcome.retryInMs ?? null}::int * interval '1 millisecond' END,
        attempt_log = attempt_log || jsonb_build_array(jsonb_build_object('attempt', attempts,
          'at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
          'statusCode', ${outcome.statusCode ?? null}::int, 'error', ${outcome.error ?? null}::text))
      WHERE id = ${delivery.id}::bigint AND attempts = ${delivery.attempts} AND status = 'pending'`;
  }

  /** A webhook's deliveries, newest first, before id `before` (webhook_deliveries_webhook_idx). */
  async listForWebhook(webhookId: string, before: number | undefined, limit: number): Promise<DeliveryRecord[]> {
    const rows = await this.prisma.webhookDelivery.findMany({
      where: { webhookId, ...(before !== undefined ? { id: { lt: BigInt(before) } } : {}) },
      orderBy: { id: 'desc' },
      take: limit,
    });
    return rows.map(toRecord);
  }
}
