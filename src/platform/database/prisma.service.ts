import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import type { Pool } from 'pg';
import { AppConfig } from '../config/app-config.js';
import { PrismaClient } from '../../generated/prisma/client.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { DatabaseConnection } from './database-connection.js';
import { markClosing, openPool } from './pg-pool.js';

/** The transaction client repositories receive inside `$transaction`. */
export type PrismaTx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

/** The primary: every write, and every read that a write or a caller's next request depends on. */
@Injectable()
export class PrismaService extends PrismaClient implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly pool: Pool;

  constructor(connection: DatabaseConnection, config: AppConfig, metrics: MetricsService) {
    const pool = openPool(
      { url: connection.url, max: config.database.poolMax },
      new Logger(PrismaService.name),
      metrics,
      'db_pool_connections',
    );
    super({ adapter: new PrismaPg(pool) });
    this.pool = pool;
  }

  beforeApplicationShutdown(): void {
    markClosing(this.pool);
  }

  /** Last: the worker hands its tasks back (beforeApplicationShutdown) through this pool. */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
    await this.pool.end().catch(() => undefined);
  }
}
