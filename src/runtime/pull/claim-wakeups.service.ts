import { BeforeApplicationShutdown, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ConversationReader } from '../../conversation/conversation.reader.js';
import { errorMessage } from '../../platform/errors/error-message.js';
import { NotificationsService } from '../../platform/notifications/notifications.service.js';

/** Task statuses after which the session's next task may become claimable. */
const FREEING = new Set(['completed', 'failed', 'canceled', 'input_required']);

export interface Wakeup {
  /** Resolves when a task of the agent may have become claimable, after `ms`, or when `signal` aborts. */
  wait(ms: number, signal: AbortSignal): Promise<void>;
  dispose(): void;
}

/**
 * Wakes long-polling pull claims early: a queued task, or a settled one (its session's next task may now run),
 * wakes the claims waiting for that task's agent on this instance. Notifications name the task only, so one
 * lookup finds its agent, and only while claims are waiting. Shutdown releases every waiting claim.
 */
@Injectable()
export class ClaimWakeups implements OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger(ClaimWakeups.name);
  private readonly waiting = new Map<string, Set<() => void>>();
  private readonly closing = new AbortController();
  private readonly claiming = new Set<Promise<unknown>>();

  constructor(
    notifications: NotificationsService,
    private readonly reader: ConversationReader,
  ) {
    notifications.on('taskQueued', ({ taskId }) => this.hint(taskId));
    notifications.on('taskStatus', ({ taskId, status }) => FREEING.has(status) && this.hint(taskId));
  }

  /** Aborts when the instance begins to shut down. */
  get shutdown(): AbortSignal {
    return this.closing.signal;
  }

  /** Starts listening for the agent's tasks now (before the caller's claim, so no wake-up falls in between). */
  arm(agentId: string): Wakeup {
    let wake: () => void = () => undefined;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    const waiters = this.waiting.get(agentId) ?? new Set();
    this.waiting.set(agentId, waiters.add(wake));
    const dispose = () => {
      waiters.delete(wake);
      if (waiters.size === 0 && this.waiting.get(agentId) === waiters) this.waiting.delete(agentId);
    };
    return { wait: (ms, signal) => raceTimeout(woken, ms, signal).finally(dispose), dispose };
  }

  /** Runs a claim; shutdown waits for running claims to answer before the server closes. */
  track<T>(claim: Promise<T>): Promise<T> {
    const settled: Promise<unknown> = claim.then(
      () => this.claiming.delete(settled),
      () => this.claiming.delete(settled),
    );
    this.claiming.add(settled);
    return claim;
  }

  onModuleDestroy(): void {
    this.closing.abort();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.claiming]);
    // their responses are written in the next turns of the event loop
    await nextTurn();
  }

  private hint(taskId: string): void {
    if (this.waiting.size === 0) return;
    this.reader
      .task(taskId)
      .then((task) => {
        for (const wake of (task && this.waiting.get(task.agentId)) || []) wake();
      })
      .catch((error: unknown) => this.logger.warn(`could not look up task ${taskId}: ${errorMessage(error)}`));
  }
}

function raceTimeout(promise: Promise<void>, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(ms, 0));
    if (signal.aborted) return done();
    signal.addEventListener('abort', done);
    void promise.then(done);
  });
}
