import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '../../platform/config/app-config.js';
import { RedisConnection } from '../../platform/redis/redis-connection.js';
import { RedisModule } from '../../platform/redis/redis.module.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { WsTicketsModule } from '../ws-tickets/ws-tickets.module.js';
import { AuthFailureLimiter } from './auth-failure.limiter.js';
import { BearerAuthGuard } from './bearer-auth.guard.js';
import { SharedThrottlerStorage } from './shared-throttler.storage.js';
import { TokenThrottlerGuard } from './token-throttler.guard.js';
import { UpgradeAuthenticator } from './upgrade-authenticator.js';

@Module({
  imports: [
    TokensModule,
    WsTicketsModule,
    ThrottlerModule.forRootAsync({
      imports: [RedisModule],
      inject: [AppConfig, RedisConnection],
      useFactory: (config: AppConfig, redis: RedisConnection) => ({
        throttlers: [{ name: 'default', ttl: 60_000, limit: config.http.rateLimitPerMinute }],
        skipIf: () => config.http.rateLimitPerMinute === 0,
        // With REDIS_URL every instance counts in Redis; without it, in its own memory (the throttler's default).
        storage: redis.client ? new SharedThrottlerStorage(redis.client) : undefined,
      }),
    }),
  ],
  // Order matters: authenticate first, then count the request against its token.
  providers: [
    AuthFailureLimiter,
    UpgradeAuthenticator,
    { provide: APP_GUARD, useClass: BearerAuthGuard },
    { provide: APP_GUARD, useClass: TokenThrottlerGuard },
  ],
  exports: [UpgradeAuthenticator],
})
export class AuthModule {}
