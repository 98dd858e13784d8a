import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module.js';
import { StreamingModule } from '../streaming/streaming.module.js';
import { TasksModule } from '../tasks/tasks.module.js';
import { EventsController } from './events.controller.js';
import { EventsService } from './events.service.js';
import { TaskEventsController } from './task-events.controller.js';
import { TurnStreamService } from './turn-stream.service.js';

@Module({
  imports: [SessionsModule, TasksModule, StreamingModule],
  controllers: [EventsController, TaskEventsController],
  providers: [EventsService, TurnStreamService],
  exports: [EventsService],
})
export class EventsModule {}
