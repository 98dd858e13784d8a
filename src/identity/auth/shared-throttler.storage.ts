import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { DomainError } from '../../platform/errors/domain-error.js';
import { errorMessage } from '../../platform/errors/error-message.js';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * Rate-limit counters in Redis, shared by every instance (REDIS_URL). While Redis is unreachable a counted
 * request gets 503 rather than passing uncounted: the limit would otherwise vanish exactly when Redis fails.
 */
export class SharedThrottlerStorage extends ThrottlerStorageRedisService {
  private readonly logger = new Logger('RateLimit');

  override async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    try {
      return await super.increment(key, ttl, limit, blockDuration, throttlerName);
    } catch (error) {
      this.logger.debug(`rate-limit storage failed: ${errorMessage(error)}`);
      throw new DomainError('rate_limit/unavailable', 'rate limiting is unavailable; retry shortly', 503, undefined, {
        'Retry-After': '2',
      });
    }
  }
}
