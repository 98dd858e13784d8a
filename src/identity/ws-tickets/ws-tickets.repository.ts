import { Injectable } from '@nestjs/common';
import type { Role } from '../auth/auth-context.js';
import { PrismaService } from '../../platform/database/prisma.service.js';

export interface RedeemedTicket {
  sessionId: string;
  tokenId: string;
  userId: string;
  role: Role;
}

/** Long-expired tickets deleted per issue: bounded work that keeps the table about as big as its live tickets. */
const PRUNE_BATCH = 100;

@Injectable()
export class WsTicketsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async create(ticket: { ticketHash: string; tokenId: string; sessionId: string; ttlMs: number }): Promise<Date> {
    const [row] = await this.prisma.$queryRaw<{ expires_at: Date }[]>`
      INSERT INTO ws_tickets (ticket_hash, token_id, session_id, expires_at)
      VALUES (${ticket.ticketHash}, ${ticket.tokenId}::uuid, ${ticket.sessionId}::uuid,
              now() + ${ticket.ttlMs} * interval '1 millisecond')
      RETURNING expires_at`;
    return row.expires_at;
  }

  /**
   * Marks the ticket used and returns what it grants, in one statement: of two concurrent redemptions only one
   * matches `consumed_at IS NULL`. Expiry is the database's clock, as when it was issued. A ticket whose token
   * has since been revoked or has expired redeems nothing (and is spent).
   */
  async consume(ticketHash: string): Promise<RedeemedTicket | undefined> {
    const rows = await this.prisma.$queryRaw<{ session_id: string; token_id: string; user_id: string; role: Role }[]>`
      WITH spent AS (
        UPDATE ws_tickets SET consumed_at = now()
        WHERE ticket_hash = ${ticketHash} AND consumed_at IS NULL AND expires_at > now()
        RETURNING session_id, token_id)
      SELECT spent.session_id::text, spent.token_id::text, k.user_id, k.role
      FROM spent JOIN api_tokens k ON k.id = spent.token_id
      WHERE k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())`;
    const row = rows[0];
    return row && { sessionId: row.session_id, tokenId: row.token_id, userId: row.user_id, role: row.role };
  }

  async pruneExpired(): Promise<void> {
    await this.prisma.$executeRaw`
      DELETE FROM ws_tickets WHERE id IN (
        SELECT id FROM ws_tickets WHERE expires_at < now() - interval '5 minutes'
        ORDER BY expires_at LIMIT ${PRUNE_BATCH})`;
  }
}
