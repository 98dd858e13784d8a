import { Injectable } from '@nestjs/common';
import { PrismaService, type PrismaTx } from '../../platform/database/prisma.service.js';
import { NotificationsService } from '../../platform/notifications/notifications.service.js';
import { PendingNotifications } from '../../platform/notifications/post-commit.js';
import { EventAppendRepository } from './event-append.repository.js';
import { EventsRepository } from './events.repository.js';
import { HistoryRepository } from './history.repository.js';
import { ScopedStateRepository } from './scoped-state.repository.js';
import { SessionWebhooksRepository } from './session-webhooks.repository.js';
import { SessionsRepository } from './sessions.repository.js';
import { SettlementsRepository } from './settlements.repository.js';
import { TasksRepository } from './tasks.repository.js';

/** The conversation's repositories, bound to one transaction. */
export interface ConversationStores {
  sessions: SessionsRepository;
  events: EventsRepository;
  appends: EventAppendRepository;
  tasks: TasksRepository;
  settlements: SettlementsRepository;
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

  /**
   * `committed` runs after the commit and before the notifications are handed on, so a caller can hand the
   * result to this instance's waiters first (a waiter woken by the notification would read what it already has).
   */
  async transaction<T>(work: (stores: ConversationStores) => Promise<T>, committed?: (result: T) => void): Promise<T> {
    const pending = new PendingNotifications();
    const result = await this.prisma.$transaction((tx) => work(this.stores(tx, pending)));
    return this.afterCommit(result, pending, committed);
  }

  /**
   * For work that is a single statement, atomic by itself (a call of one SQL function): no transaction is opened
   * around it, which saves its BEGIN and COMMIT round trips; notifications and `committed` as in `transaction`.
   */
  async statement<T>(work: (stores: ConversationStores) => Promise<T>, committed?: (result: T) => void): Promise<T> {
    const pending = new PendingNotifications();
    const result = await work(this.stores(this.prisma, pending));
    return this.afterCommit(result, pending, committed);
  }

  private afterCommit<T>(result: T, pending: PendingNotifications, committed?: (result: T) => void): T {
    try {
      committed?.(result);
    } finally {
      pending.releaseTo(this.notifications);
    }
    return result;
  }

  private stores(client: PrismaTx, pending: PendingNotifications): ConversationStores {
    return {
      sessions: new SessionsRepository(client),
      events: new EventsRepository(client),
      appends: new EventAppendRepository(client, pending),
      tasks: new TasksRepository(client, pending),
      settlements: new SettlementsRepository(client, pending),
      history: new HistoryRepository(client),
      scopedState: new ScopedStateRepository(client),
      webhooks: new SessionWebhooksRepository(client),
    };
  }
}
