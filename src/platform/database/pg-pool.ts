import type { Logger } from '@nestjs/common';
import { Pool } from 'pg';
import type { MetricsService } from '../metrics/metrics.service.js';

export interface PoolOptions {
  url: string;
  max: number;
  /** shown in pg_stat_activity unless the URL names its own application_name */
  applicationName?: string;
}

const closing = new WeakSet<Pool>();

/** The application is shutting down: connections this pool loses from now on are expected. */
export function markClosing(pool: Pool): void {
  closing.add(pool);
}

/**
 * A `pg` pool for a Prisma client. The pool is ours (not the adapter's) so its usage can be reported as the
 * gauge `metric` by state (busy, idle, waiting).
 */
export function openPool(options: PoolOptions, logger: Logger, metrics: MetricsService, metric: string): Pool {
  const pool = new Pool({
    connectionString: options.url,
    max: options.max,
    connectionTimeoutMillis: 5_000,
    fallback_application_name: options.applicationName,
  });
  // An idle connection that dies (a database restart) must not take the process down; the pool replaces it.
  // During shutdown the database may stop first (the embedded one does): that is expected, not a warning.
  pool.on('error', (error) => {
    const message = `an idle database connection failed: ${error.message}`;
    if (closing.has(pool)) logger.debug(message);
    else logger.warn(message);
  });
  metrics.gauge(metric, 'Database pool connections by state', ['state'], (set) => {
    set(pool.totalCount - pool.idleCount, { state: 'busy' });
    set(pool.idleCount, { state: 'idle' });
    set(pool.waitingCount, { state: 'waiting' });
  });
  return pool;
}
