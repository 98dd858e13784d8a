import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AccessLogInterceptor } from './access-log.interceptor.js';
import { AccessLogRepository } from './access-log.repository.js';
import { AuditController } from './audit.controller.js';
import { AuditService } from './audit.service.js';
import { ChainRepository } from './chain.repository.js';

@Module({
  controllers: [AuditController],
  providers: [AuditService, ChainRepository, AccessLogRepository, { provide: APP_INTERCEPTOR, useClass: AccessLogInterceptor }],
  exports: [AuditService, AccessLogRepository],
})
export class AuditModule {}
