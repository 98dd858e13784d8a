import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { AuthContext } from './auth-context.js';

/**
 * Rate limit per bearer token (per client address on public routes): one budget per token across every route,
 * REST and A2A alike. Runs after the bearer guard, so a bad token is a 401 (or, repeated, a 429 from
 * AuthFailureLimiter). Counters live in this instance's memory, or in Redis for all instances with REDIS_URL.
 */
@Injectable()
export class TokenThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const user = req.user as AuthContext | undefined;
    return user ? `token:${user.tokenId}` : `ip:${String(req.ip)}`;
  }

  /** The stock key includes the route; leaving it out makes the budget the caller's, not the route's. */
  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${name}:${tracker}`;
  }
}
