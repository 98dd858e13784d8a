import { Injectable, Logger } from '@nestjs/common';
import { NotificationsService } from '../platform/notifications/notifications.service.js';

/** NOTIFY payloads are limited to 8000 bytes; a UTF-8 character takes at most 4. */
const MAX_CHUNK_CHARS = 1500;
const FLUSH_MS = 40;

interface Pending {
  sessionId: string;
  text: string;
  index: number;
  timer?: NodeJS.Timeout;
  flushing: Promise<void>;
}

/**
 * Publishes the text deltas of streaming agents, relayed through PostgreSQL NOTIFY so a client streaming from any instance
 * sees the answer as it is produced, whichever instance runs the agent. Deltas are coalesced for a few
 * milliseconds to keep NOTIFY traffic low. They are not stored: only the final answer becomes an event.
 */
@Injectable()
export class DeltaPublisher {
  private readonly logger = new Logger(DeltaPublisher.name);
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly notifications: NotificationsService) {}

  push(taskId: string, sessionId: string, text: string): void {
    if (!text) return;
    let entry = this.pending.get(taskId);
    if (!entry) {
      entry = { sessionId, text: '', index: 0, flushing: Promise.resolve() };
      this.pending.set(taskId, entry);
    }
    entry.text += text;
    entry.timer ??= setTimeout(() => void this.flush(taskId, false), FLUSH_MS);
  }

  /** Sends what is buffered; with `done`, forgets the task. Call before storing the final answer. */
  async flush(taskId: string, done = true): Promise<void> {
    const entry = this.pending.get(taskId);
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.timer = undefined;
    const text = entry.text;
    entry.text = '';
    entry.flushing = entry.flushing.then(() => this.send(taskId, entry, text));
    await entry.flushing;
    if (done) this.pending.delete(taskId);
  }

  private async send(taskId: string, entry: Pending, text: string): Promise<void> {
    for (let offset = 0; offset < text.length; offset += MAX_CHUNK_CHARS) {
      const delta = {
        taskId,
        sessionId: entry.sessionId,
        index: entry.index++,
        text: text.slice(offset, offset + MAX_CHUNK_CHARS),
      };
      try {
        await this.notifications.publish('taskDelta', delta);
      } catch (error) {
        this.logger.warn(`could not relay a delta of task ${taskId}: ${(error as Error).message}`);
      }
    }
  }
}
