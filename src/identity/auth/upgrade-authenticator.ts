import { Inject, Injectable } from '@nestjs/common';
import { getStorageToken, type ThrottlerStorage } from '@nestjs/throttler';
import type { IncomingMessage } from 'node:http';
import { AppConfig } from '../../platform/config/app-config.js';
import { DomainError, Errors } from '../../platform/errors/domain-error.js';
import { TokensService } from '../tokens/tokens.service.js';
import { WsTicketsService } from '../ws-tickets/ws-tickets.service.js';
import type { AuthContext } from './auth-context.js';
import { AuthFailureLimiter } from './auth-failure.limiter.js';
import { tokenBudgetKey } from './token-throttler.guard.js';

/** The subprotocol that carries a token: `Sec-WebSocket-Protocol: bearer.<token>`. */
export const BEARER_SUBPROTOCOL = 'bearer.';

export interface UpgradeCaller {
  auth: AuthContext;
  /** set when a ticket authenticated the caller: the one session it opens */
  ticketSessionId?: string;
}

const WINDOW_MS = 60_000;

/**
 * Authenticates a WebSocket upgrade, which never passes the HTTP guards: by a ticket (`?ticket=`), a token in
 * the `bearer.<token>` subprotocol, or the Authorization header, never a token in the URL. Tokens go through
 * the same TokensService lookup as the bearer guard; failures count against the client address like the
 * guard's, and the upgrade counts as one request against the token's rate budget (the throttler's counter).
 */
@Injectable()
export class UpgradeAuthenticator {
  constructor(
    private readonly config: AppConfig,
    private readonly failures: AuthFailureLimiter,
    private readonly tokens: TokensService,
    private readonly tickets: WsTicketsService,
    @Inject(getStorageToken()) private readonly storage: ThrottlerStorage,
  ) {}

  /** `address`: the client's, as Express's req.ip names it (TRUST_PROXY applies). */
  async authenticate(req: IncomingMessage, query: URLSearchParams, address: string): Promise<UpgradeCaller> {
    this.failures.assertAllowed(address);
    let caller: UpgradeCaller | undefined;
    try {
      caller = await this.identify(req, query);
      if (!caller) throw Errors.unauthorized('invalid, expired, used or revoked ticket or token', true);
    } catch (error) {
      if (error instanceof DomainError && error.status === 401) await this.failures.recordFailure(address);
      throw error;
    }
    await this.spend(caller.auth);
    return caller;
  }

  private async identify(req: IncomingMessage, query: URLSearchParams): Promise<UpgradeCaller | undefined> {
    if (query.has('access_token') || query.has('token')) {
      throw Errors.unauthorized('tokens are never accepted in the URL: use a ticket or the bearer.<token> subprotocol');
    }
    const ticket = query.get('ticket');
    if (ticket !== null) {
      const grant = await this.tickets.redeem(ticket);
      return grant && { auth: grant.auth, ticketSessionId: grant.sessionId };
    }
    const token = subprotocolToken(req) ?? headerToken(req);
    if (token === undefined)
      throw Errors.unauthorized('a ticket (?ticket=) or a bearer.<token> subprotocol is required');
    const auth = await this.tokens.authenticate(token);
    return auth && { auth };
  }

  private async spend(auth: AuthContext): Promise<void> {
    const limit = this.config.http.rateLimitPerMinute;
    if (limit === 0) return;
    const record = await this.storage.increment(tokenBudgetKey(auth.tokenId), WINDOW_MS, limit, WINDOW_MS, 'default');
    if (record.isBlocked) {
      throw new DomainError('rate_limit/exceeded', 'too many requests for this token; retry later', 429, undefined, {
        'Retry-After': String(Math.max(1, record.timeToBlockExpire)),
      });
    }
  }
}

/** The requested subprotocols (comma-separated, as the browser sends them). */
function offeredSubprotocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  return typeof header === 'string' ? header.split(',').map((value) => value.trim()) : [];
}

function subprotocolToken(req: IncomingMessage): string | undefined {
  const offered = offeredSubprotocols(req).find((value) => value.startsWith(BEARER_SUBPROTOCOL));
  return offered?.slice(BEARER_SUBPROTOCOL.length);
}

function headerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw Errors.unauthorized('Authorization header must be "Bearer <token>"', true);
  return match[1];
}
