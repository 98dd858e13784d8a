import { Module } from '@nestjs/common';
import { ConversationModule } from '../../conversation/conversation.module.js';
import { IdentityModule } from '../../identity/identity.module.js';
import { AuditController } from './audit.controller.js';
import { AuditService } from './audit.service.js';
import { ChainRepository } from './chain.repository.js';

@Module({
  imports: [ConversationModule, IdentityModule],
  controllers: [AuditController],
  providers: [AuditService, ChainRepository],
  exports: [AuditService],
})
export class AuditModule {}
