import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { PrismaClient } from '../../generated/prisma/client.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { DatabaseConnection } from './database-connection.js';
import { openPool } from './pg-pool.js';
import { PooledPrismaClient } from './pooled-prisma-client.js';

/** The transaction client repositories receive inside `$transaction`. */
export type PrismaTx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

/** The primary: every write, and every read that a write or a caller's next request depends on. */
@Injectable()
export class PrismaService extends PooledPrismaClient {
  constructor(connection: DatabaseConnection, config: AppConfig, metrics: MetricsService) {
    const logger = new Logger(PrismaService.name);
    super(openPool({ url: connection.url, max: config.database.poolMax }, logger, metrics, 'db_pool_connections'));
  }
}
