import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { ownerScope, type AuthContext } from '../identity/auth/auth-context.js';
import { Errors } from '../platform/errors/domain-error.js';
import { NotificationsService } from '../platform/notifications/notifications.service.js';
import { toEventDto } from '../conversation/http/dto/event.dto.js';
import { ConversationReader } from '../conversation/conversation.reader.js';
import { toTaskDto } from '../conversation/http/dto/task.dto.js';
import { OpenStreams } from './open-streams.service.js';
import { openSse, whenClosed, writeSse } from '../platform/http/sse.js';

const PAGE = 500;
const SAFETY_POLL_MS = 5_000;

/**
 * Streams a session: first what the client missed after `after`, then every new event as it is committed,
 * on any instance (PostgreSQL NOTIFY). Events are always read from the table in seq order after the last one
 * sent, so the switch from replay to live has no gap and no duplicate, and a lost notification only delays.
 */
@Injectable()
export class SessionStreamService {
  constructor(
    private readonly reader: ConversationReader,
    private readonly notifications: NotificationsService,
    private readonly openStreams: OpenStreams,
  ) {}

  async stream(auth: AuthContext, sessionId: string, after: number, res: Response): Promise<void> {
    const session = await this.reader.session(sessionId, ownerScope(auth));
    if (!session) throw Errors.sessionNotFound();
    const stopHeartbeat = openSse(res);
    this.openStreams.track(res);
    const pump = this.pumper(sessionId, after, res);
    // pump.run() never rejects (a failed read ends that drain; the next notification or poll retries), so
    // nothing here waits for it.
    const unsubscribe = [
      this.notifications.on('sessionEvent', (appended) => {
        if (appended.sessionId === sessionId) void pump.run();
      }),
      this.notifications.on('taskStatus', (change) => {
        if (change.sessionId === sessionId) void this.sendTaskStatus(change.taskId, res, pump);
      }),
      this.notifications.onReconnect(() => void pump.run()),
    ];
    const poll = setInterval(() => void pump.run(), SAFETY_POLL_MS);
    void pump.run();
    await whenClosed(res);
    clearInterval(poll);
    stopHeartbeat();
    for (const off of unsubscribe) off();
  }

  /** Events after the last one sent go out first, so a task's answer precedes its final status. */
  private async sendTaskStatus(taskId: string, res: Response, pump: Pumper): Promise<void> {
    await pump.run();
    const task = await this.reader.task(taskId).catch(() => undefined);
    if (task) writeSse(res, 'task.status', toTaskDto(task));
  }

  private pumper(sessionId: string, after: number, res: Response): Pumper {
    let last = after;
    let running: Promise<void> | undefined;
    let again = false;
    const drain = async () => {
      do {
        again = false;
        for (;;) {
          const rows = await this.reader.eventsAfter(sessionId, last, PAGE);
          for (const event of rows) {
            writeSse(res, 'session.event', toEventDto(event), event.seq);
            last = event.seq;
          }
          if (rows.length < PAGE || res.writableEnded) break;
        }
      } while (again && !res.writableEnded);
    };
    return {
      run: () => {
        if (running) {
          again = true;
          return running;
        }
        running = drain()
          .catch(() => undefined)
          .finally(() => (running = undefined));
        return running;
      },
    };
  }
}

interface Pumper {
  run(): Promise<void>;
}
