import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '../../platform/config/app-config.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { AuthFailureLimiter } from './auth-failure.limiter.js';
import { BearerAuthGuard } from './bearer-auth.guard.js';
import { TokenThrottlerGuard } from './token-throttler.guard.js';

@Module({
  imports: [
    TokensModule,
    ThrottlerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        throttlers: [{ name: 'default', ttl: 60_000, limit: config.http.rateLimitPerMinute }],
        skipIf: () => config.http.rateLimitPerMinute === 0,
      }),
    }),
  ],
  // Order matters: authenticate first, then count the request against its token.
  providers: [
    AuthFailureLimiter,
    { provide: APP_GUARD, useClass: BearerAuthGuard },
    { provide: APP_GUARD, useClass: TokenThrottlerGuard },
  ],
})
export class AuthModule {}
