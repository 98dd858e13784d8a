import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../metrics/metrics.service.js';

/** Below this share of busy event-loop time over a whole check interval the process counts as idle. */
const IDLE_UTILIZATION = 0.05;
/** V8's committed heap must have grown this much past what it was after the last collection to be worth one. */
const GROWTH_FACTOR = 1.5;
const GROWTH_MIN_BYTES = 32 * 2 ** 20;
/**
 * Full collections per idle check, each in its own turn of the event loop: V8 gives the pages it keeps committed
 * back only after consecutive collections (measured: one collection freed the garbage but left the committed
 * heap at 213 MB, three brought it to 128 MB and RSS from 259 to 182 MB).
 */
const COLLECTIONS = 3;

/** Whether an idle check should collect: the loop was idle and the committed heap grew well past what was kept. */
export function shouldCollect(utilization: number, heapTotal: number, keptBytes: number): boolean {
  return utilization < IDLE_UTILIZATION && heapTotal > keptBytes * GROWTH_FACTOR + GROWTH_MIN_BYTES;
}

/**
 * Gives the memory of a burst of load back once the load is over. Under load V8 lets the old generation grow to
 * several times what is live, and in a server nothing tells it when the load has stopped: measured after
 * `npm run bench`, 125–225 MB of the heap was garbage still resident 30 s later, over 61 MB live
 * (docs/benchmarks.md, "Memory"). Every IDLE_GC_CHECK_MS this looks at the event loop's utilization over the
 * interval; only when it was nearly idle the whole time and V8's committed heap (what counts in RSS, garbage or
 * not) has grown well past what it was after the last collection does it run three full collections (tens of
 * milliseconds each), so it never competes with load.
 * Node exposes no collection call without `--expose-gc`; the flag is set at run time, as Jest does for
 * `--logHeapUsage`, and the function taken from a fresh context.
 */
@Injectable()
export class IdleHeapCollector implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IdleHeapCollector.name);
  private timer?: NodeJS.Timeout;
  private lastLoop?: EventLoopUtilization;
  private keptBytes = 0;
  private collect?: () => void;
  private collecting = false;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.idleGcCheckMs <= 0) return;
    this.collect = fullCollection();
    this.keptBytes = process.memoryUsage().heapTotal;
    this.lastLoop = performance.eventLoopUtilization();
    this.timer = setInterval(() => void this.check(), this.config.idleGcCheckMs).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async check(): Promise<void> {
    const utilization = performance.eventLoopUtilization(this.lastLoop).utilization;
    const { heapUsed, heapTotal } = process.memoryUsage();
    if (this.collecting || !shouldCollect(utilization, heapTotal, this.keptBytes)) {
      this.lastLoop = performance.eventLoopUtilization();
      return;
    }
    this.collecting = true;
    const started = performance.now();
    for (let i = 0; i < COLLECTIONS; i++) {
      this.collect!();
      // a request that arrives meanwhile goes first
      await new Promise((resolve) => setImmediate(resolve));
    }
    const after = process.memoryUsage();
    this.keptBytes = after.heapTotal;
    this.metrics.idleCollections.inc();
    this.metrics.idleCollectedBytes.inc(Math.max(0, heapUsed - after.heapUsed));
    this.logger.debug(
      `idle: heap used ${mib(heapUsed)} → ${mib(after.heapUsed)} MiB, committed ${mib(heapTotal)} → ${mib(after.heapTotal)} MiB, in ${Math.round(performance.now() - started)} ms`,
    );
    // measured after the collections, so their own time does not count against the next interval
    this.lastLoop = performance.eventLoopUtilization();
    this.collecting = false;
  }
}

function fullCollection(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
