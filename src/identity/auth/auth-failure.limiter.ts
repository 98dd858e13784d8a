import { Inject, Injectable } from '@nestjs/common';
import { getStorageToken, type ThrottlerStorage } from '@nestjs/throttler';
import { AppConfig } from '../../platform/config/app-config.js';
import { DomainError } from '../../platform/errors/domain-error.js';

const WINDOW_MS = 60_000;
const MAX_BLOCKED = 10_000;

/**
 * Requests without a usable token (missing, malformed, unknown, expired, revoked) count against their client
 * address, RATE_LIMIT_PER_MINUTE per minute; past that the address gets 429 before any token is looked up,
 * so a flood of made-up tokens cannot turn into unlimited database lookups. Counted in the throttler's storage,
 * so with REDIS_URL every instance spends one budget per address; each instance also remembers a block it has
 * seen, so a blocked address costs it no further Redis or database round trip until the block ends.
 */
@Injectable()
export class AuthFailureLimiter {
  /** address -> when its block ends (ms); checked without touching the counters */
  private readonly blocked = new Map<string, number>();

  constructor(
    private readonly config: AppConfig,
    @Inject(getStorageToken()) private readonly storage: ThrottlerStorage,
  ) {}

  assertAllowed(address: string, now = Date.now()): void {
    const until = this.blocked.get(address);
    if (until === undefined) return;
    if (until <= now) {
      this.blocked.delete(address);
      return;
    }
    throw tooManyFailures(Math.ceil((until - now) / 1000));
  }

  /** Counts a failed attempt; throws 429 once this one spends the address's budget. */
  async recordFailure(address: string): Promise<void> {
    const limit = this.config.http.rateLimitPerMinute;
    if (limit === 0) return;
    const record = await this.storage.increment(`auth-failure:${address}`, WINDOW_MS, limit, WINDOW_MS, 'auth-failure');
    if (!record.isBlocked) return;
    if (this.blocked.size >= MAX_BLOCKED) this.blocked.delete(this.blocked.keys().next().value as string);
    const seconds = Math.max(1, record.timeToBlockExpire);
    this.blocked.set(address, Date.now() + seconds * 1000);
    throw tooManyFailures(seconds);
  }
}

function tooManyFailures(retryAfterSeconds: number): DomainError {
  return new DomainError(
    'rate_limit/exceeded',
    'too many requests without a valid token from this address',
    429,
    undefined,
    {
      'Retry-After': String(Math.max(1, retryAfterSeconds)),
    },
  );
}
