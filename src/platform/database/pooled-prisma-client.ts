import type { BeforeApplicationShutdown, OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import type { Pool } from 'pg';
import { PrismaClient, type Prisma } from '../../generated/prisma/client.js';
import type { DirectSql } from './direct-sql.js';
import { markClosing } from './pg-pool.js';

/** A Prisma client on a pool of ours (see openPool), closed last on shutdown, with shutdown losses expected. */
export abstract class PooledPrismaClient
  extends PrismaClient
  implements BeforeApplicationShutdown, OnApplicationShutdown, DirectSql
{
  protected constructor(private readonly pool: Pool) {
    super({ adapter: new PrismaPg(pool) });
  }

  async queryDirect<T>(statement: Prisma.Sql): Promise<T[]> {
    return (await this.pool.query<T & object>(statement.text, statement.values)).rows;
  }

  beforeApplicationShutdown(): void {
    markClosing(this.pool);
  }

  /** Last: the worker hands its tasks back (beforeApplicationShutdown) through the primary's pool. */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
    await this.pool.end().catch(() => undefined);
  }
}
