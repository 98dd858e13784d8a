import { Injectable } from '@nestjs/common';
import type { ChannelPayloads } from '../platform/notifications/channels.js';
import { NotificationsService } from '../platform/notifications/notifications.service.js';

export type TaskDelta = ChannelPayloads['taskDelta'];

/** The text deltas of one task as a streaming agent writes them, on whichever instance runs it (not stored). */
@Injectable()
export class TaskDeltasService {
  constructor(private readonly notifications: NotificationsService) {}

  subscribe(taskId: string, listener: (delta: TaskDelta) => void): () => void {
    return this.notifications.on('taskDelta', (delta) => {
      if (delta.taskId === taskId) listener(delta);
    });
  }

  /** Every task's deltas in one session (a caller that does not know the task's id yet filters them itself). */
  subscribeSession(sessionId: string, listener: (delta: TaskDelta) => void): () => void {
    return this.notifications.on('taskDelta', (delta) => {
      if (delta.sessionId === sessionId) listener(delta);
    });
  }
}
