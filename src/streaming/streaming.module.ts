import { Module } from '@nestjs/common';
import { OpenStreams } from './open-streams.service.js';
import { SessionStreamService } from './session-stream.service.js';
import { StreamController } from './stream.controller.js';
import { TaskDeltasService } from './task-deltas.service.js';

@Module({
  controllers: [StreamController],
  providers: [SessionStreamService, TaskDeltasService, OpenStreams],
  exports: [TaskDeltasService, OpenStreams],
})
export class StreamingModule {}
