import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { AuthContext } from '../auth/auth-context.js';
import { hashToken } from '../tokens/tokens.service.js';
import { WsTicketsRepository } from './ws-tickets.repository.js';

export const WS_TICKET_TTL_MS = 30_000;
const TICKET_PREFIX = 'wst_';
const MAX_TICKET_LENGTH = 128;

export interface IssuedTicket {
  ticket: string;
  expiresAt: Date;
}

/** What a redeemed ticket grants: the caller who asked for it, for one session. */
export interface TicketGrant {
  auth: AuthContext;
  sessionId: string;
}

/**
 * Tickets that open a WebSocket without a token in the URL: 256 random bits, shown once, stored as a SHA-256
 * hash, bound to the caller's token and one session, valid for 30 s and for one use.
 */
@Injectable()
export class WsTicketsService {
  private readonly logger = new Logger(WsTicketsService.name);

  constructor(private readonly tickets: WsTicketsRepository) {}

  /** The caller must have checked that `sessionId` is one it may see (reviewers may watch; writes check again). */
  async issue(auth: AuthContext, sessionId: string): Promise<IssuedTicket> {
    const ticket = TICKET_PREFIX + randomBytes(32).toString('base64url');
    const expiresAt = await this.tickets.create({
      ticketHash: hashToken(ticket),
      tokenId: auth.tokenId,
      sessionId,
      ttlMs: WS_TICKET_TTL_MS,
    });
    this.tickets
      .pruneExpired()
      .catch((error: unknown) => this.logger.warn(`could not delete expired tickets: ${String(error)}`));
    return { ticket, expiresAt };
  }

  /** Spends the ticket; undefined when it is unknown, used, expired, or its token is no longer valid. */
  async redeem(ticket: string): Promise<TicketGrant | undefined> {
    if (!ticket.startsWith(TICKET_PREFIX) || ticket.length > MAX_TICKET_LENGTH) return undefined;
    const redeemed = await this.tickets.consume(hashToken(ticket));
    if (!redeemed) return undefined;
    const { sessionId, tokenId, userId, role } = redeemed;
    return { sessionId, auth: { tokenId, userId, role } };
  }
}
