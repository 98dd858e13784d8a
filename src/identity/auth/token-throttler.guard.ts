import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { AuthContext } from './auth-context.js';
import { socketAuth } from './socket-auth.js';

/** The counter of a token's budget (what generateKey below makes of the default throttler and the token). */
export const tokenBudgetKey = (tokenId: string): string => `default:token:${tokenId}`;

/**
 * Rate limit per bearer token (per client address on public routes): one budget per token across every route,
 * REST and A2A alike. Runs after the bearer guard, so a bad token is a 401 (or, repeated, a 429 from
 * AuthFailureLimiter). Counters live in this instance's memory, or in Redis for all instances with REDIS_URL.
 * A WebSocket message counts against the token that opened the socket, like a request.
 */
@Injectable()
export class TokenThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const user = req.user as AuthContext | undefined;
    return user ? `token:${user.tokenId}` : `ip:${String(req.ip)}`;
  }

  protected override getRequestResponse(context: ExecutionContext): {
    req: Record<string, unknown>;
    res: Record<string, unknown>;
  } {
    if (context.getType() !== 'ws') return super.getRequestResponse(context);
    const user = socketAuth(context.switchToWs().getClient<object>());
    // A message has no headers to read or set: the rate-limit headers exist only on HTTP responses.
    return { req: { user, headers: {} }, res: {} };
  }

  /** The stock key includes the route; leaving it out makes the budget the caller's, not the route's. */
  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${name}:${tracker}`;
  }
}
