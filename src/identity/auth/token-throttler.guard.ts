import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { AuthContext } from './auth-context.js';

/**
 * Rate limit per bearer token (per client address before authentication). Runs after the bearer guard, so
 * a bad token is a 401, not a 429. Counters live in this instance's memory.
 */
@Injectable()
export class TokenThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const user = req.user as AuthContext | undefined;
    return user ? `token:${user.tokenId}` : `ip:${String(req.ip)}`;
  }
}
