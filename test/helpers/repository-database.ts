import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../src/platform/config/app-config.js';
import { MIGRATIONS_DIR, type DatabaseConnection } from '../../src/platform/database/database-connection.js';
import { runMigrations } from '../../src/platform/database/migration-runner.js';
import { PrismaService } from '../../src/platform/database/prisma.service.js';
import { MetricsService } from '../../src/platform/metrics/metrics.service.js';
import type { SessionRecord, SessionStatus } from '../../src/conversation/records/session.record.js';
import { SessionsRepository } from '../../src/conversation/store/sessions.repository.js';
import { createTestDatabase, sql, type TestDatabase } from './test-database.js';

export interface RepositoryDatabase {
  db: TestDatabase;
  prisma: PrismaService;
  /** Runs SQL on its own connection (to arrange rows, or read what the repositories wrote). */
  sql<T extends object = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** A fresh, migrated test database and the PrismaService the repositories take, with no app around them. */
export async function openRepositoryDatabase(): Promise<RepositoryDatabase> {
  const db = await createTestDatabase();
  await runMigrations(db.url, MIGRATIONS_DIR);
  const config = AppConfig.fromEnv({ DATABASE_URL: db.url, LOG_LEVEL: 'silent', DATABASE_POOL_MAX: '20' });
  const prisma = new PrismaService({ url: db.url } as DatabaseConnection, config, new MetricsService());
  return {
    db,
    prisma,
    sql: (text, params = []) => sql(db.url, text, params),
    close: async () => {
      await prisma.onApplicationShutdown();
      await db.drop();
    },
  };
}

export interface SessionSeed {
  userId?: string;
  agentId?: string;
  status?: SessionStatus;
  expiresAt?: Date | null;
  parentId?: string;
}

/** Creates a session through the repository, then puts it in the given status. */
export async function seedSession(r: RepositoryDatabase, seed: SessionSeed = {}): Promise<SessionRecord> {
  const sessions = new SessionsRepository(r.prisma);
  const userId = seed.userId ?? 'alice';
  await sessions.ensureUser(userId);
  const agentId = seed.agentId ?? 'echo';
  const created = await sessions.create({
    id: randomUUID(),
    userId,
    agentId,
    expiresAt: seed.expiresAt,
    parentId: seed.parentId,
  });
  return seed.status ? sessions.update(created.id, { status: seed.status }) : created;
}
