import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../platform/database/prisma.service.js';
import { NotificationsService } from '../../platform/notifications/notifications.service.js';
import { PendingNotifications } from '../../platform/notifications/post-commit.js';
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
 * and everything commits or nothing does. Services never see Prisma or a transaction handle. The notifications
 * of what the transaction wrote are held and handed to the notifications hub only once it has committed (none
 * if it rolls back), so the transaction itself never NOTIFYs (see post-commit.ts).
 */
@Injectable()
export class UnitOfWork {
  constructor(
    private readonly prisma: PrismaService,
    private readonly notifications: NotificationsService,
  ) {}

  async transaction<T>(work: (stores: ConversationStores) => Promise<T>): Promise<T> {
    const pending = new PendingNotifications();
    const result = await this.prisma.$transaction((tx) =>
      work({
        sessions: new SessionsRepository(tx),
        events: new EventsRepository(tx, pending),
        tasks: new TasksRepository(tx, pending),
        history: new HistoryRepository(tx),
        scopedState: new ScopedStateRepository(tx),
        webhooks: new SessionWebhooksRepository(tx),
      }),
    );
    pending.releaseTo(this.notifications);
    return result;
  }
}
