import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { ownerScope, type AuthContext } from '../identity/auth/auth-context.js';
import { Errors } from '../platform/errors/domain-error.js';
import { NotificationsService } from '../platform/notifications/notifications.service.js';
import { toEventDto } from '../conversation/http/dto/event.dto.js';
import { ConversationReader } from '../conversation/conversation.reader.js';
import { toTaskDto } from '../conversation/http/dto/task.dto.js';
import type { EventRecord } from '../conversation/records/event.record.js';
import { OpenStreams } from '../platform/http/open-streams.service.js';
import { openSse, type SseStream } from '../platform/http/sse.js';

/** Replay pages: a client that cannot keep up holds at most one page of this size in memory. */
const PAGE = { rows: 500, bytes: 256 * 1024 };
const SAFETY_POLL_MS = 5_000;

/**
 * Streams a session: first what the client missed after `after`, then every new event as it is committed,
 * on any instance (PostgreSQL NOTIFY). Events are always read from the table in seq order after the last one
 * sent, so the switch from replay to live has no gap and no duplicate, and a lost notification only delays.
 * Each event is written only after the client has taken the previous ones (backpressure).
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
    const sse = openSse(res, this.openStreams.claim(auth.tokenId, res));
    const pump = this.pumper(sessionId, after, sse);
    const unsubscribe = [
      this.notifications.on('sessionEvent', (appended) => {
        if (appended.sessionId === sessionId) void pump.run(); // a failed page is retried by the next wake-up or poll
      }),
      this.notifications.on('taskStatus', (change) => {
        if (change.sessionId === sessionId) void this.sendTaskStatus(change.taskId, sse, pump);
      }),
      this.notifications.onReconnect(() => void pump.run()),
    ];
    const poll = setInterval(() => void pump.run(), SAFETY_POLL_MS);
    void pump.run();
    await sse.closed;
    clearInterval(poll);
    for (const off of unsubscribe) off();
  }

  /** Events after the last one sent go out first, so a task's answer precedes its final status. */
  private async sendTaskStatus(taskId: string, sse: SseStream, pump: Pumper): Promise<void> {
    await pump.run();
    const task = await this.reader.task(taskId).catch(() => undefined);
    if (task) await sse.send('task.status', toTaskDto(task));
  }

  private pumper(sessionId: string, after: number, sse: SseStream): Pumper {
    let last = after;
    let running: Promise<void> | undefined;
    let again = false;
    let open = true;
    void sse.closed.then(() => (open = false));
    const drain = async () => {
      do {
        again = false;
        for await (const page of this.reader.eventPages(sessionId, last, PAGE)) {
          while (page.length > 0) {
            // Taken off the page before waiting, so only its text is held while the client catches up.
            const [sent, seq] = sendEvent(sse, page.shift()!);
            if (!(await sent)) return;
            last = seq;
          }
        }
      } while (again && open);
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

function sendEvent(sse: SseStream, event: EventRecord): [Promise<boolean>, number] {
  return [sse.send('session.event', toEventDto(event), event.seq), event.seq];
}

interface Pumper {
  run(): Promise<void>;
}
