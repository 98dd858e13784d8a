import { Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { AgentCatalog } from '../platform/config/agent-config.js';
import { AppConfig } from '../platform/config/app-config.js';
import { NotificationsService } from '../platform/notifications/notifications.service.js';
import { QueueRepository } from './queue.repository.js';
import { TaskRunner } from './task-runner.service.js';
import { coalescedRound } from '../platform/async/coalesced-round.js';

/**
 * Claims queued tasks from the database and runs them, up to WORKER_CONCURRENCY at once. Woken by
 * NOTIFY when a task is queued, and polls as well, which also picks up tasks whose worker died (their
 * lease expires). Several instances can run side by side on one database. Tasks of `external` agents are never
 * claimed here: their pull workers claim them over HTTP.
 */
@Injectable()
export class WorkerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WorkerService.name);
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly running = new Set<Promise<void>>();
  private readonly shutdown = new AbortController();
  private pollTimer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  /** Claims as many as there are free slots; concurrent wake-ups coalesce into one more round. */
  readonly kick = coalescedRound(() => this.claimRound(), {
    stopped: () => this.shutdown.signal.aborted,
    onError: (error) => this.logger.warn(`claiming tasks failed: ${(error as Error).message}`),
  });
  private readonly excludeAgentIds: string[];

  constructor(
    private readonly config: AppConfig,
    private readonly queue: QueueRepository,
    private readonly runner: TaskRunner,
    private readonly notifications: NotificationsService,
    catalog: AgentCatalog,
  ) {
    this.excludeAgentIds = catalog.externalAgentIds();
  }

  onApplicationBootstrap(): void {
    if (!this.config.worker.enabled) return;
    // every running task listens for shutdown on this one signal
    setMaxListeners(0, this.shutdown.signal);
    this.unsubscribe = this.notifications.on('taskQueued', () => this.kick());
    this.pollTimer = setInterval(() => this.kick(), this.config.worker.pollMs);
    this.pollTimer.unref();
    this.logger.log(`worker ${this.owner} started (concurrency ${this.config.worker.concurrency})`);
    this.kick();
  }

  private async claimRound(): Promise<void> {
    for (;;) {
      const free = this.config.worker.concurrency - this.running.size;
      if (free <= 0 || this.shutdown.signal.aborted) return;
      const claimed = await this.queue.claim(this.owner, this.config.worker.leaseMs, free, {
        excludeAgentIds: this.excludeAgentIds,
      });
      for (const task of claimed) {
        const run = this.runner
          .execute(task, this.owner, this.shutdown.signal)
          .catch((error: unknown) => this.logger.error(`task ${task.id} failed to settle: ${(error as Error).message}`))
          .finally(() => {
            this.running.delete(run);
            this.kick();
          });
        this.running.add(run);
      }
      if (claimed.length < free) return;
    }
  }

  /** Stops claiming, lets running tasks finish for a grace period, then hands the rest back to the queue. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.pollTimer);
    this.unsubscribe?.();
    if (!this.config.worker.enabled) return;
    const grace = new Promise((resolve) => setTimeout(resolve, this.config.worker.shutdownGraceMs).unref());
    await Promise.race([Promise.allSettled([...this.running]), grace]);
    this.shutdown.abort();
    await Promise.allSettled([...this.running]);
    const released = await this.queue.release(this.owner).catch(() => 0);
    if (released > 0) this.logger.log(`released ${released} unfinished task(s) back to the queue`);
  }
}
