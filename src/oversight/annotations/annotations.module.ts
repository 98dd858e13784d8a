import { Module } from '@nestjs/common';
import { ConversationModule } from '../../conversation/conversation.module.js';
import { AnnotationsController } from './annotations.controller.js';
import { AnnotationsRepository } from './annotations.repository.js';
import { AnnotationsService } from './annotations.service.js';

@Module({
  imports: [ConversationModule],
  controllers: [AnnotationsController],
  providers: [AnnotationsService, AnnotationsRepository],
  exports: [AnnotationsService],
})
export class AnnotationsModule {}
