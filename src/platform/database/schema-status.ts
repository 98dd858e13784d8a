import { Injectable } from '@nestjs/common';
import { readMigrations } from './migration-runner.js';
import { MIGRATIONS_DIR } from './database-connection.js';
import { PrismaService } from './prisma.service.js';

/** Whether the database answers, and which migrations shipped with this build it has not applied. */
@Injectable()
export class SchemaStatus {
  private readonly shipped = readMigrations(MIGRATIONS_DIR).map((migration) => migration.name);

  constructor(private readonly prisma: PrismaService) {}

  async ping(): Promise<void> {
    await this.prisma.$queryRaw`SELECT 1`;
  }

  async pendingMigrations(): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ name: string }[]>`
      SELECT migration_name AS name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
    const applied = new Set(rows.map((row) => row.name));
    return this.shipped.filter((name) => !applied.has(name));
  }
}
