import { Injectable } from '@nestjs/common';
import { AppConfig } from '../platform/config/app-config.js';
import { ReadPrismaService } from '../platform/database/read-prisma.service.js';
import { READ_ONLY_NOTIFIER } from '../platform/notifications/post-commit.js';
import { ConversationReader } from './conversation.reader.js';
import { EventsRepository } from './store/events.repository.js';
import { SessionsRepository } from './store/sessions.repository.js';
import { TasksRepository } from './store/tasks.repository.js';
import { ScopedStateRepository } from './store/scoped-state.repository.js';
import { HistoryRepository } from './store/history.repository.js';
import { TurnInputRepository } from './store/turn-input.repository.js';
import { StreamedEventsRepository } from './store/streamed-events.repository.js';

/**
 * The ConversationReader on DATABASE_READ_URL, for bulk reads that may lag the primary (transcript exports).
 * A replica may not have the newest events, or a session created moments ago, yet: never use it for anything
 * a write decides on, nor where a caller must see what it has just written.
 */
@Injectable()
export class ReplicaConversationReader extends ConversationReader {
  constructor(replica: ReadPrismaService, config: AppConfig) {
    super(
      new SessionsRepository(replica),
      new EventsRepository(replica),
      new TasksRepository(replica, READ_ONLY_NOTIFIER),
      new ScopedStateRepository(replica),
      new HistoryRepository(replica),
      new TurnInputRepository(replica),
      new StreamedEventsRepository(replica),
      config,
    );
  }
}
