import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../identity/auth/auth-context.js';
import { NotificationsService } from '../platform/notifications/notifications.service.js';
import { eventJson } from '../conversation/http/dto/event.dto.js';
import type { StreamedEvent } from '../conversation/records/event.record.js';
import { ConversationReader, type PageBudget } from '../conversation/conversation.reader.js';
import { toTaskDto, type TaskDto } from '../conversation/http/dto/task.dto.js';
import { StreamBudget } from '../platform/http/stream-budget.js';

/** Replay pages: a client that cannot keep up holds at most one page of this size (or one bigger event). */
const PAGE = { rows: 500, bytes: 256 * 1024 };
const SAFETY_POLL_MS = 5_000;

/** Where a session's feed goes (an SSE response, a WebSocket). Each send resolves false once the client is gone. */
export interface FeedSink {
  /** an event as its API JSON, in pieces (see eventJson) */
  event(seq: number, json: string[]): Promise<boolean>;
  task(task: TaskDto): Promise<boolean>;
  readonly closed: Promise<void>;
}

export interface SessionFeed {
  /** Sends the events after `after` again (or for the first time), then carries on live. */
  resume(after: number): void;
}

/**
 * A session's events, whatever the transport: first what the client missed after `after`, then every new event
 * as it is committed, on any instance (PostgreSQL NOTIFY), and each task's status as it changes. Events are
 * always read from the table in seq order after the last one sent, so the switch from replay to live has no gap
 * and no duplicate, and a lost notification only delays. Each event is sent only after the client has taken the
 * previous ones (backpressure). Its pages count against the memory share of the caller's token. The caller has
 * checked that the session is the client's to see.
 */
@Injectable()
export class SessionFeedService {
  constructor(
    private readonly reader: ConversationReader,
    private readonly notifications: NotificationsService,
    private readonly memory: StreamBudget,
  ) {}

  open(auth: AuthContext, sessionId: string, after: number, sink: FeedSink): SessionFeed {
    const pages = { ...PAGE, memory: this.memory.shareOf(auth.tokenId) };
    const pump = new FeedPump(this.reader, pages, sessionId, after, sink);
    const unsubscribe = [
      this.notifications.on('sessionEvent', (appended) => {
        if (appended.sessionId === sessionId) void pump.run(); // a failed page is retried by the next wake-up or poll
      }),
      this.notifications.on('taskStatus', (change) => {
        if (change.sessionId === sessionId) void this.sendTaskStatus(change.taskId, sink, pump);
      }),
      this.notifications.onReconnect(() => void pump.run()),
    ];
    const poll = setInterval(() => void pump.run(), SAFETY_POLL_MS);
    void sink.closed.then(() => {
      clearInterval(poll);
      for (const off of unsubscribe) off();
    });
    void pump.run();
    return { resume: (from) => pump.restart(from) };
  }

  /** Events after the last one sent go out first, so a task's answer precedes its final status. */
  private async sendTaskStatus(taskId: string, sink: FeedSink, pump: FeedPump): Promise<void> {
    await pump.run();
    const task = await this.reader.task(taskId).catch(() => undefined);
    if (task) await sink.task(toTaskDto(task));
  }
}

/** Sends the session's events after the last one sent, one run at a time; a wake-up during a run runs again. */
class FeedPump {
  private running: Promise<void> | undefined;
  private again = false;
  private open = true;
  private restartFrom: number | undefined;

  constructor(
    private readonly reader: ConversationReader,
    private readonly pages: PageBudget,
    private readonly sessionId: string,
    private last: number,
    private readonly sink: FeedSink,
  ) {
    void sink.closed.then(() => (this.open = false));
  }

  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.drain()
      .catch(() => undefined)
      .finally(() => {
        this.running = undefined;
        // A restart asked for as the run was ending would otherwise wait for the next poll.
        if (this.restartFrom !== undefined && this.open) void this.run();
      });
    return this.running;
  }

  /** The next run starts after `after`; a run in progress stops at its next event. */
  restart(after: number): void {
    this.restartFrom = after;
    void this.run();
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      if (this.restartFrom !== undefined) [this.last, this.restartFrom] = [this.restartFrom, undefined];
      pages: for await (const page of this.reader.eventPages(this.sessionId, this.last, this.pages)) {
        while (page.length > 0) {
          if (this.restartFrom !== undefined) break pages;
          // Taken off the page, and only its seq kept, before waiting: while the client catches up only the
          // event's bytes are held (in the writer), not the text read from the database as well.
          const seq = page[0].seq;
          if (!(await this.send(page.shift()!))) return;
          this.last = seq;
        }
      }
    } while ((this.again || this.restartFrom !== undefined) && this.open);
  }

  private send(event: StreamedEvent): Promise<boolean> {
    return this.sink.event(event.seq, eventJson(event));
  }
}
