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

/** A task being watched: from its opening on, no settle of the task is missed. */
export interface TaskWatch {
  readonly taskId: string;
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
  private readonly watching = new Map<string, Set<Watch>>();

  constructor(
    private readonly tasks: TasksRepository,
    private readonly notifications: NotificationsService,
  ) {}

  async waitSettled(taskId: string, timeoutMs: number, signal?: AbortSignal): Promise<TaskRecord | undefined> {
    const watch = this.open(taskId);
    try {
      return (await watch.wait(timeoutMs, undefined, signal)).task;
    } finally {
      watch.close();
    }
  }

  /** Starts watching a task now, e.g. before the write that creates it (see waitWritten). */
  watch(taskId: string): TaskWatch {
    return this.open(taskId);
  }

  /**
   * Waits for a task the caller has just written: with a `watch` opened on it before the write, from `task` as
   * written (no first read); else like waitSettled.
   */
  async waitWritten(task: TaskRecord, timeoutMs: number, watch?: TaskWatch): Promise<WaitResult> {
    if (watch instanceof Watch && watch.taskId === task.id) return watch.wait(timeoutMs, task);
    const own = this.open(task.id);
    try {
      return await own.wait(timeoutMs);
    } finally {
      own.close();
    }
  }

  /** A settle committed on this instance: its watchers get the task and the answer without reading them. */
  settled(settled: SettledTask): void {
    for (const watch of this.watching.get(settled.task.id) ?? []) watch.handOver(settled);
  }

  private open(taskId: string): Watch {
    const watches = this.watching.get(taskId) ?? new Set();
    const watch = new Watch(taskId, this.tasks, this.notifications, () => {
      watches.delete(watch);
      if (watches.size === 0 && this.watching.get(taskId) === watches) this.watching.delete(taskId);
    });
    this.watching.set(taskId, watches.add(watch));
    return watch;
  }
}

class Watch implements TaskWatch {
  private handedOver?: SettledTask;
  private hinted = false;
  private wake: () => void = () => undefined;
  private readonly offStatus: () => void;

  constructor(
    readonly taskId: string,
    private readonly tasks: TasksRepository,
    notifications: NotificationsService,
    private readonly forget: () => void,
  ) {
    this.offStatus = notifications.on('taskStatus', (change) => {
      if (change.taskId === taskId && SETTLED_TASK_STATUSES.includes(change.status as TaskStatus)) this.hint();
    });
  }

  handOver(settled: SettledTask): void {
    this.handedOver = settled;
    this.hint();
  }

  /** Until the task is settled, `timeoutMs` passed or `signal` aborted; from `current` when given, else read first. */
  async wait(timeoutMs: number, current?: TaskRecord, signal?: AbortSignal): Promise<WaitResult> {
    const deadline = Date.now() + timeoutMs;
    let task = current;
    for (let read = !current; ; read = true) {
      if (this.handedOver) return this.handedOver;
      this.hinted = false;
      if (read) task = await this.tasks.findById(this.taskId);
      if (this.handedOver) return this.handedOver;
      if (!task || isSettled(task) || Date.now() >= deadline || signal?.aborted) return { task };
      // a hint that came during the read is not lost: it is read again at once
      if (this.hinted) continue;
      await raceTimeout(new Promise<void>((resolve) => (this.wake = resolve)), deadline, signal);
    }
  }

  close(): void {
    this.offStatus();
    this.forget();
  }

  private hint(): void {
    this.hinted = true;
    this.wake();
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
