import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { AppModule } from '../../src/app.module.js';
import { configureApp } from '../../src/app.setup.js';
import type { Role } from '../../src/identity/auth/auth-context.js';
import { AppConfig } from '../../src/platform/config/app-config.js';
import { TokensService } from '../../src/identity/tokens/tokens.service.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface TestApp {
  app: NestExpressApplication;
  db: TestDatabase;
  baseUrl: string;
  http: () => ReturnType<typeof request>;
  token(userId: string, role?: Role, ttlSeconds?: number): Promise<string>;
  /** A token of role `agent` bound to these agents (a pull worker's). */
  agentToken(agentIds: string[], userId?: string): Promise<string>;
  /** Stops the app; drops the database unless it was passed in (so a test can restart on it). */
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  db?: TestDatabase;
  /** DATABASE_URL, when the pool must reach the database some other way than `db.url` (a pooler) */
  databaseUrl?: string;
}

/** Boots the real app (real PostgreSQL, real HTTP on a loopback port) on a fresh database. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const ownsDb = !options.db;
  const db = options.db ?? (await createTestDatabase());
  const config = AppConfig.fromEnv({
    LOG_LEVEL: 'silent',
    WORKER_POLL_MS: '200',
    EXPIRY_SWEEP_MS: '1000',
    WORKER_SHUTDOWN_GRACE_MS: '200',
    // many apps share one test process and its heap; the test of idle collection turns it on
    IDLE_GC_CHECK_MS: '0',
    ...options.env,
    DATABASE_URL: options.databaseUrl ?? db.url,
  });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(AppConfig)
    .useValue(config)
    .compile();
  // fetch (undici) may hold a spare idle connection for seconds; don't let it delay every test's shutdown.
  const app = moduleRef.createNestApplication<NestExpressApplication>({
    bodyParser: false,
    logger: false,
    forceCloseConnections: true,
  });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    app,
    db,
    baseUrl,
    http: () => request(baseUrl),
    token: async (userId, role = 'user', ttlSeconds) =>
      (await app.get(TokensService).issue({ userId, role, ttlSeconds })).token,
    agentToken: async (agentIds, userId = `agent:${agentIds[0]}`) =>
      (await app.get(TokensService).issue({ userId, role: 'agent', agentIds })).token,
    close: async () => {
      await app.close();
      if (ownsDb) await db.drop();
    },
  };
}
