import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AccessLogInterceptor } from './access-log/access-log.interceptor.js';
import { AccessLogRepository } from './access-log/access-log.repository.js';
import { AccessLogService } from './access-log/access-log.service.js';
import { AuthModule } from './auth/auth.module.js';
import { MeController } from './me/me.controller.js';
import { TokensModule } from './tokens/tokens.module.js';
import { WsTicketsModule } from './ws-tickets/ws-tickets.module.js';

/**
 * Who is calling: tokens and their cache, the global bearer guard and throttler, WebSocket tickets and the
 * upgrade authenticator, and the access log.
 */
@Module({
  imports: [AuthModule, TokensModule, WsTicketsModule],
  controllers: [MeController],
  providers: [AccessLogRepository, AccessLogService, { provide: APP_INTERCEPTOR, useClass: AccessLogInterceptor }],
  exports: [TokensModule, AuthModule, WsTicketsModule, AccessLogService],
})
export class IdentityModule {}
