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
  owner: string;
  bytes: number;
  grant: () => void;
}

/**
 * The bytes of history all streams and exports of this instance may hold at once (STREAM_MEMORY_BUDGET_BYTES).
 * A stream takes its part before it reads a page and gives it back once its client has taken the page, so
 * clients that never read hold at most the budget between them, however many they are. 0 turns the budget off.
 *
 * Each owner (a token) may hold at most its share (STREAM_MEMORY_SHARE_BYTES) of it, so one token's clients
 * that stop reading cannot take what everybody else needs: an owner at its share waits, and its requests are
 * passed by other owners' (no owner waits behind another's). A request above the share is granted once its
 * owner holds nothing, so a big event is never starved. Requests an owner's share allows are served first come,
 * first served, so a big one is not starved by small ones either; an owner's own requests keep their order.
 */
@Injectable()
export class StreamBudget {
  private readonly total: number;
  private readonly share: number;
  private inUse = 0;
  private readonly heldBy = new Map<string, number>();
  private readonly queue: Waiter[] = [];

  constructor(config: AppConfig, metrics: MetricsService) {
    this.total = config.streams.memoryBudgetBytes;
    this.share = config.streams.memoryShareBytes;
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

  /** The budget as one owner's readers see it. */
  shareOf(owner: string): MemoryBudget {
    return { acquire: (bytes) => this.acquire(bytes, owner) };
  }

  /** Resolves once `owner` may take `bytes` (see the class comment for who waits for whom). */
  acquire(bytes: number, owner: string): Promise<BudgetLease> {
    const wanted = this.total > 0 ? Math.min(Math.max(0, Math.ceil(bytes)), this.total) : 0;
    return new Promise((resolve) => {
      this.queue.push({ owner, bytes: wanted, grant: () => resolve(this.grant(owner, wanted)) });
      this.wakeWaiters();
    });
  }

  /**
   * Grants, in order, every waiter that may go: the first waiter of its owner, within its owner's share, that
   * fits. One that its share allows but that does not fit stops the rest (it waits for bytes others give back);
   * one beyond its share is skipped with its owner's later requests.
   */
  private wakeWaiters(): void {
    const passed = new Set<string>();
    for (let i = 0; i < this.queue.length;) {
      const waiter = this.queue[i];
      if (passed.has(waiter.owner) || !this.withinShare(waiter)) {
        passed.add(waiter.owner);
        i++;
      } else if (this.fits(waiter.bytes)) {
        this.queue.splice(i, 1);
        waiter.grant();
      } else {
        return;
      }
    }
  }

  private withinShare({ owner, bytes }: Waiter): boolean {
    const held = this.heldBy.get(owner) ?? 0;
    return this.share === 0 || held === 0 || held + bytes <= this.share;
  }

  private fits(bytes: number): boolean {
    return this.inUse + bytes <= this.total || this.total === 0;
  }

  private grant(owner: string, bytes: number): BudgetLease {
    this.take(owner, bytes);
    let held = bytes;
    const giveBack = (kept: number) => {
      const freed = held - Math.max(0, Math.min(kept, held));
      held -= freed;
      this.take(owner, -freed);
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

  private take(owner: string, bytes: number): void {
    this.inUse += bytes;
    const held = (this.heldBy.get(owner) ?? 0) + bytes;
    if (held > 0) this.heldBy.set(owner, held);
    else this.heldBy.delete(owner);
  }
}
