import { Injectable } from '@nestjs/common';
import { NotificationsService } from '../platform/notifications/notifications.service.js';
import type { EventRecord } from './records/event.record.js';
import { isSettled, SETTLED_TASK_STATUSES, type TaskRecord, type TaskStatus } from './records/task.record.js';
import type { SettledTask } from './store/settlements.repository.js';
import { TasksRepository } from './store/tasks.repository.js';

const SAFETY_POLL_MS = 1_000;

/** What a wait ends with: the task as last seen (undefined when it is gone), and its answer when it was handed over. */
export interface WaitResult {
  task: TaskRecord | undefined;
  /** the answer, when this instance settled the task (else the caller reads it by task.responseEventId) */
  response?: EventRecord;
}

export interface WaitOptions {
  signal?: AbortSignal;
  /** the task as the caller just wrote it (watched since before): no first read */
  current?: TaskRecord;
}

/** A task being watched: settles that happen from now on are not missed. */
export interface TaskWatch {
  readonly taskId: string;
  /** Until the task is settled (or timeoutMs passed, or signal aborted). */
  wait(timeoutMs: number, options?: WaitOptions): Promise<WaitResult>;
  close(): void;
}

/**
 * Waits until a task is settled (finished, or waiting for input), on whichever instance ran it. A settle on this
 * instance hands the task and its answer over in process (`settled`, called right after its commit), so the
 * waiter reads nothing; a settle elsewhere wakes it by notification, and it reads the task. A slow poll is the
 * safety net for a dropped notification connection.
 */
@Injectable()
export class TaskWaiter {
  private readonly watching = new Map<string, Set<(settled: SettledTask) => void>>();

  constructor(
    private readonly tasks: TasksRepository,
    private readonly notifications: NotificationsService,
  ) {}

  async waitSettled(taskId: string, timeoutMs: number, signal?: AbortSignal): Promise<TaskRecord | undefined> {
    const watch = this.watch(taskId);
    try {
      return (await watch.wait(timeoutMs, { signal })).task;
    } finally {
      watch.close();
    }
  }

  /** Starts watching a task now, e.g. before the append that creates it, so its wait needs no first read. */
  watch(taskId: string): TaskWatch {
    let handedOver: SettledTask | undefined;
    let hinted = false;
    let wake: () => void = () => undefined;
    const hint = () => {
      hinted = true;
      wake();
    };
    const offStatus = this.notifications.on('taskStatus', (change) => {
      if (change.taskId === taskId && SETTLED_TASK_STATUSES.includes(change.status as TaskStatus)) hint();
    });
    const onSettled = (settled: SettledTask) => {
      handedOver = settled;
      hint();
    };
    const listeners = this.watching.get(taskId) ?? new Set();
    this.watching.set(taskId, listeners.add(onSettled));
    const close = () => {
      offStatus();
      listeners.delete(onSettled);
      if (listeners.size === 0 && this.watching.get(taskId) === listeners) this.watching.delete(taskId);
    };
    const wait = async (timeoutMs: number, { signal, current }: WaitOptions = {}): Promise<WaitResult> => {
      const deadline = Date.now() + timeoutMs;
      let task = current;
      for (let read = !current; ; read = true) {
        if (handedOver) return handedOver;
        hinted = false;
        if (read) task = await this.tasks.findById(taskId);
        if (handedOver) return handedOver;
        if (!task || isSettled(task) || Date.now() >= deadline || signal?.aborted) return { task };
        if (hinted) continue;
        await raceTimeout(new Promise<void>((resolve) => (wake = resolve)), deadline, signal);
      }
    };
    return { taskId, wait, close };
  }

  /** A settle committed on this instance: its watchers get the task and the answer without reading them. */
  settled(settled: SettledTask): void {
    for (const listener of this.watching.get(settled.task.id) ?? []) listener(settled);
  }
}

/** Resolves when `promise` does, after the safety poll interval (at most until the deadline), or on abort. */
function raceTimeout(promise: Promise<void>, deadline: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, Math.max(Math.min(SAFETY_POLL_MS, deadline - Date.now()), 0));
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    signal?.addEventListener('abort', done);
    void promise.then(done);
  });
}
