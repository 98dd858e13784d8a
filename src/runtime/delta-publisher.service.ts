import { Injectable } from '@nestjs/common';
import { NotificationsService } from '../platform/notifications/notifications.service.js';

/** NOTIFY payloads are limited to 8000 bytes; a UTF-8 character takes at most 4. */
const MAX_CHUNK_CHARS = 1500;
const FLUSH_MS = 40;

interface Pending {
  sessionId: string;
  text: string;
  index: number;
  timer?: NodeJS.Timeout;
}

/**
 * Publishes the text deltas of streaming agents, relayed through PostgreSQL NOTIFY so a client streaming from any instance
 * sees the answer as it is produced, whichever instance runs the agent. Deltas are coalesced for a few
 * milliseconds to keep NOTIFY traffic low, and go out with the notifications hub's next batch (listeners on this
 * instance get them at once). They are not stored: only the final answer becomes an event.
 */
@Injectable()
export class DeltaPublisher {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly notifications: NotificationsService) {}

  push(taskId: string, sessionId: string, text: string): void {
    if (!text) return;
    let entry = this.pending.get(taskId);
    if (!entry) {
      entry = { sessionId, text: '', index: 0 };
      this.pending.set(taskId, entry);
    }
    entry.text += text;
    entry.timer ??= setTimeout(() => this.flush(taskId, false), FLUSH_MS);
  }

  /**
   * Hands what is buffered to the hub; with `done`, forgets the task. Called before the final answer is stored, so
   * the deltas go out ahead of the answer's notifications, in the same batch or an earlier one.
   */
  flush(taskId: string, done = true): void {
    const entry = this.pending.get(taskId);
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.timer = undefined;
    const text = entry.text;
    entry.text = '';
    if (done) this.pending.delete(taskId);
    for (let offset = 0; offset < text.length; offset += MAX_CHUNK_CHARS) {
      const delta = {
        taskId,
        sessionId: entry.sessionId,
        index: entry.index++,
        text: text.slice(offset, offset + MAX_CHUNK_CHARS),
      };
      this.notifications.publishSoon('taskDelta', delta);
    }
  }
}
