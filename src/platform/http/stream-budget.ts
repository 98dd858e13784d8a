import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../metrics/metrics.service.js';

/** Bytes taken from a MemoryBudget; give them back once the client has taken what they paid for. */
export interface BudgetLease {
  readonly bytes: number;
  /** keeps only `bytes` of the lease (never more than it holds) and gives the rest back at once */
  shrinkTo(bytes: number): void;
  /** gives everything back; a second call does nothing */
  release(): void;
}

/** What a reader of many big rows asks before it reads them (see StreamBudget). */
export interface MemoryBudget {
  /** resolves once `bytes` are free (a request above the whole budget waits for all of it) */
  acquire(bytes: number): Promise<BudgetLease>;
}

interface Waiter {
  bytes: number;
  grant: () => void;
}

/**
 * The bytes of history all streams and exports of this instance may hold at once (STREAM_MEMORY_BUDGET_BYTES).
 * A stream takes its share before it reads a page and gives it back once its client has taken the page, so
 * clients that never read hold at most the budget between them, however many they are; the others wait their
 * turn (first come, first served, so a big event is not starved by small ones). 0 turns the budget off.
 */
@Injectable()
export class StreamBudget implements MemoryBudget {
  private readonly total: number;
  private inUse = 0;
  private readonly queue: Waiter[] = [];

  constructor(config: AppConfig, metrics: MetricsService) {
    this.total = config.streams.memoryBudgetBytes;
    metrics.gauge('stream_budget_bytes', 'Bytes of history held by streams and exports, by state', ['state'], (set) => {
      set(this.inUse, { state: 'held' });
      set(
        this.queue.reduce((sum, w) => sum + w.bytes, 0),
        { state: 'waiting' },
      );
    });
  }

  get heldBytes(): number {
    return this.inUse;
  }

  acquire(bytes: number): Promise<BudgetLease> {
    const wanted = this.total > 0 ? Math.min(Math.max(0, Math.ceil(bytes)), this.total) : 0;
    if (this.queue.length === 0 && this.fits(wanted)) return Promise.resolve(this.grant(wanted));
    return new Promise((resolve) => this.queue.push({ bytes: wanted, grant: () => resolve(this.grant(wanted)) }));
  }

  private fits(bytes: number): boolean {
    return this.inUse + bytes <= this.total || this.total === 0;
  }

  private grant(bytes: number): BudgetLease {
    this.inUse += bytes;
    let held = bytes;
    const giveBack = (kept: number) => {
      const freed = held - Math.max(0, Math.min(kept, held));
      held -= freed;
      this.inUse -= freed;
      if (freed > 0) this.wakeWaiters();
    };
    return {
      get bytes() {
        return held;
      },
      shrinkTo: (kept) => giveBack(kept),
      release: () => giveBack(0),
    };
  }

  private wakeWaiters(): void {
    while (this.queue.length > 0 && this.fits(this.queue[0].bytes)) this.queue.shift()!.grant();
  }
}
