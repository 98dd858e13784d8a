import { Module } from '@nestjs/common';
import { ConversationReader } from './conversation.reader.js';
import { EventsService } from './events.service.js';
import { ReplicaConversationReader } from './replica.reader.js';
import { EventsController } from './http/events.controller.js';
import { HistoryController } from './http/history.controller.js';
import { RecordedTurnsController } from './http/recorded-turns.controller.js';
import { SessionsController } from './http/sessions.controller.js';
import { TaskEventsController } from './http/task-events.controller.js';
import { TasksController } from './http/tasks.controller.js';
import { SessionsService } from './sessions.service.js';
import { EventAppendRepository } from './store/event-append.repository.js';
import { EventsRepository } from './store/events.repository.js';
import { SessionsRepository } from './store/sessions.repository.js';
import { TasksRepository } from './store/tasks.repository.js';
import { UnitOfWork } from './store/unit-of-work.js';
import { TaskWaiter } from './task-waiter.service.js';
import { TasksService } from './tasks.service.js';
import { HistoryService } from './history.service.js';
import { RecordedTurnsService } from './recorded-turns.service.js';
import { UserMessagesService } from './user-messages.service.js';
import { MessageRetriesService } from './message-retries.service.js';
import { HistoryRepository } from './store/history.repository.js';
import { ScopedStateRepository } from './store/scoped-state.repository.js';
import { TurnInputRepository } from './store/turn-input.repository.js';
import { StreamedEventsRepository } from './store/streamed-events.repository.js';

/**
 * The conversation core: sessions, their events and tasks are one consistency boundary, and every write to
 * them goes through the services here (open, append, continue, settle, cancel, close, expire). Other modules
 * get these services and the ConversationReader; the repositories stay inside.
 */
@Module({
  controllers: [
    SessionsController,
    EventsController,
    TaskEventsController,
    TasksController,
    RecordedTurnsController,
    HistoryController,
  ],
  providers: [
    SessionsRepository,
    EventsRepository,
    EventAppendRepository,
    TasksRepository,
    HistoryRepository,
    ScopedStateRepository,
    TurnInputRepository,
    StreamedEventsRepository,
    UnitOfWork,
    SessionsService,
    MessageRetriesService,
    UserMessagesService,
    EventsService,
    TasksService,
    TaskWaiter,
    RecordedTurnsService,
    HistoryService,
    ConversationReader,
    ReplicaConversationReader,
  ],
  exports: [SessionsService, EventsService, TasksService, TaskWaiter, ConversationReader, ReplicaConversationReader],
})
export class ConversationModule {}
