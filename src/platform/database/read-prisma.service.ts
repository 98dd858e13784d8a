import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import type { Pool } from 'pg';
import { AppConfig } from '../config/app-config.js';
import { PrismaClient } from '../../generated/prisma/client.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { DatabaseConnection } from './database-connection.js';
import { markClosing, openPool } from './pg-pool.js';

/** How the read pool's sessions are named in pg_stat_activity (unless DATABASE_READ_URL names its own). */
export const READ_APPLICATION_NAME = 'agent-sessions-read';

/**
 * A second client on DATABASE_READ_URL (a streaming replica; by default the primary) for reads that may lag
 * the primary: review search, transcript exports, the access-log listing. Nothing that a write decides on
 * reads here. Its pool is separate and opens connections only when used.
 */
@Injectable()
export class ReadPrismaService extends PrismaClient implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly pool: Pool;

  constructor(connection: DatabaseConnection, config: AppConfig, metrics: MetricsService) {
    const pool = openPool(
      { url: connection.readUrl, max: config.database.poolMax, applicationName: READ_APPLICATION_NAME },
      new Logger(ReadPrismaService.name),
      metrics,
      'db_read_pool_connections',
    );
    super({ adapter: new PrismaPg(pool) });
    this.pool = pool;
  }

  beforeApplicationShutdown(): void {
    markClosing(this.pool);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
    await this.pool.end().catch(() => undefined);
  }
}
