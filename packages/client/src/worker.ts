import type { AgentSessionClient } from './client.js';
import { isApiError } from './errors.js';
import type { Claim, ClaimBody, Step, Task, TaskResult } from './types.js';

/** What a handler gets for one claimed task. */
export interface WorkContext {
  claim: Claim;
  /** stores steps at once (tool calls, results, intermediate messages), while the lease is held */
  step: (...steps: Step[]) => Promise<void>;
  /** aborted when the worker stops or the lease is lost */
  signal: AbortSignal;
}

export type TaskHandler = (context: WorkContext) => Promise<TaskResult>;

export interface PullWorkerOptions {
  agentId: string;
  handler: TaskHandler;
  /** tasks run at once (default 1) */
  concurrency?: number;
  /** claim long-poll (default 20000 ms) */
  waitMs?: number;
  /** lease asked for on claim and on each heartbeat (default: the service's) */
  leaseMs?: number;
  /** heartbeat period (default a third of the lease) */
  heartbeatMs?: number;
  historyLimit?: number;
  /** called for errors the loop survives (a failed claim, a lost lease) */
  onError?: (error: unknown) => void;
}

/**
 * The pull-worker loop: claim → run the handler (steps as it goes) → heartbeat on a timer → result.
 * A handler that throws settles the task as failed (`retryable` from the error's own field). `stop()` stops
 * claiming, lets running tasks finish and resolves when they have.
 */
export class PullWorker {
  private readonly stopping = new AbortController();
  private readonly running = new Set<Promise<void>>();
  private loops: Promise<void>[] = [];
  /** tasks settled by this worker, for callers and tests */
  completed = 0;

  constructor(
    private readonly client: AgentSessionClient,
    private readonly options: PullWorkerOptions,
  ) {}

  start(): this {
    const concurrency = this.options.concurrency ?? 1;
    this.loops = Array.from({ length: concurrency }, () => this.loop());
    return this;
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled(this.loops);
    await Promise.allSettled([...this.running]);
  }

  private async loop(): Promise<void> {
    const body: ClaimBody = {
      waitMs: this.options.waitMs ?? 20_000,
      limit: 1,
      ...(this.options.leaseMs ? { leaseMs: this.options.leaseMs } : {}),
      ...(this.options.historyLimit !== undefined ? { historyLimit: this.options.historyLimit } : {}),
    };
    while (!this.stopping.signal.aborted) {
      let claims: Claim[];
      try {
        claims = await this.client.claimTasks(this.options.agentId, body, this.stopping.signal);
      } catch (error) {
        if (this.stopping.signal.aborted) return;
        this.options.onError?.(error);
        await delay(1000, this.stopping.signal);
        continue;
      }
      for (const claim of claims) {
        const run = this.run(claim).finally(() => this.running.delete(run));
        this.running.add(run);
        await run;
      }
    }
  }

  /** Runs one claimed task to its result, renewing the lease meanwhile. */
  async run(claim: Claim): Promise<void> {
    const lease = new AbortController();
    const stop = () => lease.abort();
    this.stopping.signal.addEventListener('abort', stop, { once: true });
    const timer = this.heartbeat(claim, lease);
    try {
      const result = await this.handle(claim, lease.signal);
      if (lease.signal.aborted && !this.stopping.signal.aborted) return;
      await this.settle(claim, result);
      this.completed++;
    } catch (error) {
      this.options.onError?.(error);
    } finally {
      clearInterval(timer);
      this.stopping.signal.removeEventListener('abort', stop);
    }
  }

  private async handle(claim: Claim, signal: AbortSignal): Promise<TaskResult> {
    const step = async (...steps: Step[]) => {
      await this.client.postSteps(claim.task.id, claim.leaseId, steps);
    };
    try {
      return await this.options.handler({ claim, step, signal });
    } catch (error) {
      const retryable = (error as { retryable?: unknown }).retryable === true;
      return { error: { message: error instanceof Error ? error.message : String(error), retryable } };
    }
  }

  private heartbeat(claim: Claim, lease: AbortController): NodeJS.Timeout {
    const leaseMs = this.options.leaseMs ?? Math.max(5000, Date.parse(claim.leaseExpiresAt) - Date.now());
    const period = this.options.heartbeatMs ?? Math.max(1000, Math.floor(leaseMs / 3));
    return setInterval(() => {
      this.client.heartbeat(claim.task.id, claim.leaseId, this.options.leaseMs).catch((error: unknown) => {
        if (isApiError(error, 'task/lease_lost')) lease.abort();
        this.options.onError?.(error);
      });
    }, period);
  }

  /**
   * Settles the task. A 409 lease_lost after a retried request may mean the first attempt went through: the task
   * is then finished at our attempt number, which no other worker can have (a re-claim increments it).
   */
  private async settle(claim: Claim, result: TaskResult): Promise<Task> {
    try {
      return await this.client.settleTask(claim.task.id, claim.leaseId, result);
    } catch (error) {
      if (!isApiError(error, 'task/lease_lost')) throw error;
      const task = await this.client.getTask(claim.task.id);
      const finished = ['completed', 'input_required', 'failed'].includes(task.status);
      if (finished && task.attempts === claim.attempt) return task;
      throw error;
    }
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}
