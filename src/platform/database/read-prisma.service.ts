import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { DatabaseConnection } from './database-connection.js';
import { openPool } from './pg-pool.js';
import { PooledPrismaClient } from './pooled-prisma-client.js';

/** How the read pool's sessions are named in pg_stat_activity (unless DATABASE_READ_URL names its own). */
export const READ_APPLICATION_NAME = 'agent-sessions-read';

/**
 * A second client on DATABASE_READ_URL (a streaming replica; by default the primary) for reads that may lag
 * the primary: review search, transcript exports, the access-log listing. Nothing that a write decides on
 * reads here. Its pool is separate and opens connections only when used.
 */
@Injectable()
export class ReadPrismaService extends PooledPrismaClient {
  constructor(connection: DatabaseConnection, config: AppConfig, metrics: MetricsService) {
    const options = { url: connection.readUrl, max: config.database.poolMax, applicationName: READ_APPLICATION_NAME };
    super(openPool(options, new Logger(ReadPrismaService.name), metrics, 'db_read_pool_connections'));
  }
}
