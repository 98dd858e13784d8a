import { Injectable } from '@nestjs/common';
import { NotificationsService } from '../platform/notifications/notifications.service.js';
import { isSettled, type TaskRecord } from './records/task.record.js';
import { TasksRepository } from './store/tasks.repository.js';

const SAFETY_POLL_MS = 1_000;

/**
 * Waits until a task is settled (finished, or waiting for input), on whichever instance ran it: woken by
 * PostgreSQL notifications, with a slow poll as a safety net for a dropped notification connection.
 */
@Injectable()
export class TaskWaiter {
  constructor(
    private readonly tasks: TasksRepository,
    private readonly notifications: NotificationsService,
  ) {}

  async waitSettled(taskId: string, timeoutMs: number, signal?: AbortSignal): Promise<TaskRecord | undefined> {
    let wake: () => void = () => undefined;
    const unsubscribe = this.notifications.on('taskStatus', (change) => {
      if (change.taskId === taskId) wake();
    });
    const deadline = Date.now() + timeoutMs;
    try {
      for (;;) {
        const woken = new Promise<void>((resolve) => (wake = resolve));
        const task = await this.tasks.findById(taskId);
        if (!task || isSettled(task) || Date.now() >= deadline || signal?.aborted) return task;
        await raceTimeout(woken, Math.min(SAFETY_POLL_MS, deadline - Date.now()), signal);
      }
    } finally {
      unsubscribe();
    }
  }
}

function raceTimeout(promise: Promise<void>, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, Math.max(ms, 0));
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    signal?.addEventListener('abort', done);
    void promise.then(done);
  });
}
