import { Module } from '@nestjs/common';
import { ConversationModule } from '../conversation/conversation.module.js';
import { StreamController } from './http/stream.controller.js';
import { TurnsController } from './http/turns.controller.js';
import { SessionStreamService } from './session-stream.service.js';
import { TaskDeltasService } from './task-deltas.service.js';
import { TurnStreamService } from './turn-stream.service.js';

/** Live views of a conversation: the session stream, streamed turns and text deltas (SSE). */
@Module({
  imports: [ConversationModule],
  controllers: [StreamController, TurnsController],
  providers: [SessionStreamService, TurnStreamService, TaskDeltasService],
  exports: [TaskDeltasService],
})
export class LiveModule {}
