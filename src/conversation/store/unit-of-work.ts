import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../platform/database/prisma.service.js';
import { EventsRepository } from './events.repository.js';
import { HistoryRepository } from './history.repository.js';
import { ScopedStateRepository } from './scoped-state.repository.js';
import { SessionWebhooksRepository } from './session-webhooks.repository.js';
import { SessionsRepository } from './sessions.repository.js';
import { TasksRepository } from './tasks.repository.js';

/** The conversation's repositories, bound to one transaction. */
export interface ConversationStores {
  sessions: SessionsRepository;
  events: EventsRepository;
  tasks: TasksRepository;
  history: HistoryRepository;
  scopedState: ScopedStateRepository;
  webhooks: SessionWebhooksRepository;
}

/**
 * Writes that belong together (close a session and cancel its tasks; store an answer, its task's outcome and
 * the session's status) run through `transaction`: the services decide, the repositories it hands them write,
 * and everything commits or nothing does. Services never see Prisma or a transaction handle.
 */
@Injectable()
export class UnitOfWork {
  constructor(private readonly prisma: PrismaService) {}

  transaction<T>(work: (stores: ConversationStores) => Promise<T>): Promise<T> {
    return this.prisma.$transaction((tx) =>
      work({
        sessions: new SessionsRepository(tx),
        events: new EventsRepository(tx),
        tasks: new TasksRepository(tx),
        history: new HistoryRepository(tx),
        scopedState: new ScopedStateRepository(tx),
        webhooks: new SessionWebhooksRepository(tx),
      }),
    );
  }
}
