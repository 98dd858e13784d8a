import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { AppConfig } from '../config/app-config.js';
import { PrismaClient } from '../../generated/prisma/client.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { DatabaseConnection } from './database-connection.js';

/** The transaction client repositories receive inside `$transaction`. */
export type PrismaTx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  private readonly logger = new Logger(PrismaService.name);
  private readonly pool: Pool;

  constructor(connection: DatabaseConnection, config: AppConfig, metrics: MetricsService) {
    // The pool is ours (not the adapter's) so its usage can be reported.
    const pool = new Pool({
      connectionString: connection.url,
      max: config.database.poolMax,
      connectionTimeoutMillis: 5_000,
    });
    super({ adapter: new PrismaPg(pool) });
    this.pool = pool;
    // An idle connection that dies (a database restart) must not take the process down; the pool replaces it.
    pool.on('error', (error) => this.logger.warn(`an idle database connection failed: ${error.message}`));
    metrics.gauge('db_pool_connections', 'Database pool connections by state', ['state'], (set) => {
      set(pool.totalCount - pool.idleCount, { state: 'busy' });
      set(pool.idleCount, { state: 'idle' });
      set(pool.waitingCount, { state: 'waiting' });
    });
  }

  /** Last: the worker hands its tasks back (beforeApplicationShutdown) through this pool. */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
    await this.pool.end().catch(() => undefined);
  }
}
