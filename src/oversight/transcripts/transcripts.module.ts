import { Module } from '@nestjs/common';
import { ConversationModule } from '../../conversation/conversation.module.js';
import { AnnotationsModule } from '../annotations/annotations.module.js';
import { TranscriptsController } from './transcripts.controller.js';
import { TranscriptsService } from './transcripts.service.js';

@Module({
  imports: [ConversationModule, AnnotationsModule],
  controllers: [TranscriptsController],
  providers: [TranscriptsService],
})
export class TranscriptsModule {}
