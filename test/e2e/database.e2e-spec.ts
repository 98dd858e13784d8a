import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../src/generated/prisma/client.js';
import { MIGRATIONS_DIR } from '../../src/platform/database/database-connection.js';
import { readMigrations, runMigrations } from '../../src/platform/database/migration-runner.js';
import { auth, createSession, say } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { createTestDatabase, sql } from '../helpers/test-database.js';

describe('database guarantees', () => {
  let t: TestApp;
  let token: string;
  let sessionId: string;

  beforeAll(async () => {
    t = await startTestApp();
    token = await t.token('alice');
    sessionId = (await createSession(t, token)).id;
    await say(t, token, sessionId, 'keep me');
  });
  afterAll(() => t.close());

  it.each([
    ['UPDATE', "UPDATE events SET parts = '[]' WHERE session_id = $1"],
    ['DELETE', 'DELETE FROM events WHERE session_id = $1'],
  ])('rejects %s on events in the database itself', async (_op, statement) => {
    await expect(sql(t.db.url, statement, [sessionId])).rejects.toThrow(/append-only/);
    const rows = await sql<{ n: string }>(t.db.url, 'SELECT count(*) AS n FROM events WHERE session_id = $1', [
      sessionId,
    ]);
    expect(rows[0].n).toBe('2');
  });

  it('rejects TRUNCATE on events', async () => {
    await expect(sql(t.db.url, 'TRUNCATE events CASCADE')).rejects.toThrow(/append-only/);
  });

  it("chains each event's hash to the previous one", async () => {
    const rows = await sql<{ seq: number; hash: Buffer; canonical: string }>(
      t.db.url,
      `SELECT seq, hash, event_canonical(id, session_id, seq, type, role, parts, task_id, metadata, model,
         prompt_tokens, completion_tokens, cost_usd, created_at) AS canonical
       FROM events WHERE session_id = $1 ORDER BY seq`,
      [sessionId],
    );
    let previous: Buffer = Buffer.alloc(0);
    for (const row of rows) {
      const expected = createHash('sha256')
        .update(Buffer.concat([previous, Buffer.from(row.canonical, 'utf8')]))
        .digest();
      expect(row.hash.equals(expected)).toBe(true);
      previous = row.hash;
    }
    const head = await sql<{ last_hash: Buffer }>(t.db.url, 'SELECT last_hash FROM sessions WHERE id = $1', [
      sessionId,
    ]);
    expect(head[0].last_hash.equals(previous)).toBe(true);
  });

  it('records migrations in _prisma_migrations exactly as Prisma would, and re-running is a no-op', async () => {
    const files = readMigrations(MIGRATIONS_DIR);
    const rows = await sql<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      applied_steps_count: number;
    }>(
      t.db.url,
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(rows.map((r) => r.migration_name)).toEqual(files.map((f) => f.name));
    for (const [i, row] of rows.entries()) {
      const bytes = readFileSync(join(MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(row.finished_at).not.toBeNull();
      expect(row.applied_steps_count).toBe(1);
      expect(files[i].checksum).toBe(row.checksum);
    }
    const again = await runMigrations(t.db.url, MIGRATIONS_DIR);
    expect(again.applied).toEqual([]);
  });

  it('serializes concurrent migration runs on a fresh database', async () => {
    const db = await createTestDatabase();
    try {
      const results = await Promise.all([1, 2, 3].map(() => runMigrations(db.url, MIGRATIONS_DIR)));
      const applied = results.flatMap((r) => r.applied);
      expect(applied.sort()).toEqual(
        readMigrations(MIGRATIONS_DIR)
          .map((m) => m.name)
          .sort(),
      );
      const rows = await sql<{ n: string }>(db.url, 'SELECT count(*) AS n FROM _prisma_migrations');
      expect(Number(rows[0].n)).toBe(applied.length);
    } finally {
      await db.drop();
    }
  });

  it('schema.prisma agrees with the migrations: every model and column round-trips through the client', async () => {
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: t.db.url }) });
    try {
      const user = await prisma.user.create({ data: { id: `drift-${randomUUID()}` } });
      const token = await prisma.apiToken.create({
        data: {
          userId: user.id,
          role: 'admin',
          name: 'n',
          tokenPrefix: 'ast_x',
          tokenHash: randomUUID(),
          expiresAt: new Date(),
          revokedAt: new Date(),
          lastUsedAt: new Date(),
        },
      });
      const parent = await prisma.session.create({ data: { userId: user.id, agentId: 'echo' } });
      const session = await prisma.session.create({
        data: {
          userId: user.id,
          agentId: 'echo',
          name: 'n',
          status: 'completed',
          metadata: { m: 1 },
          state: { s: 1 },
          parentId: parent.id,
          // in the future: the test app's expiry sweeper would otherwise race this read
          expiresAt: new Date(Date.now() + 86_400_000),
          closedAt: new Date(),
          eventCount: 1,
          turnCount: 1,
          lastHash: new Uint8Array([1, 2]),
          promptTokens: 5n,
          completionTokens: 6n,
          costUsd: '1.5',
          unpricedAnswers: 3,
          key: 'drift:key',
          agentContext: { contextId: 'remote-1' },
        },
      });
      const eventId = randomUUID();
      const taskId = randomUUID();
      const parentId = randomUUID();
      await prisma.$transaction([
        prisma.event.create({
          data: {
            id: eventId,
            sessionId: session.id,
            seq: 1,
            type: 'message',
            role: 'user',
            parts: [{ kind: 'text', text: 'x' }],
            taskId,
            metadata: {},
            model: 'm',
            promptTokens: 1,
            completionTokens: 2,
            costUsd: '0.25',
            hash: new Uint8Array([3]),
            parentId,
          },
        }),
        prisma.task.create({
          data: {
            id: taskId,
            sessionId: session.id,
            agentId: 'echo',
            triggerEventId: eventId,
            triggerSeq: 1,
            turn: 1,
            responseEventId: eventId,
            status: 'failed',
            attempts: 2,
            error: 'e',
            leaseOwner: 'w',
            leaseExpiresAt: new Date(),
            startedAt: new Date(),
            finishedAt: new Date(),
            updatedAt: new Date(),
            turnId: 'turn-1',
            requestHash: 'h',
            traceContext: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
          },
        }),
      ]);
      const read = await prisma.session.findUniqueOrThrow({
        where: { id: session.id },
        include: {
          user: { include: { tokens: true } },
          parent: true,
          events: { include: { task: true, triggers: true, responds: true } },
          tasks: true,
        },
      });
      expect(read).toMatchObject({
        name: 'n',
        status: 'completed',
        parentId: parent.id,
        promptTokens: 5n,
        completionTokens: 6n,
        unpricedAnswers: 3,
        key: 'drift:key',
        agentContext: { contextId: 'remote-1' },
      });
      expect(read.costUsd?.toString()).toBe('1.5');
      expect((await prisma.session.findUniqueOrThrow({ where: { id: parent.id } })).costUsd).toBeNull();
      expect(Buffer.from(read.lastHash!).toString('hex')).toBe('0102');
      expect(read.user.tokens[0]).toMatchObject({ id: token.id, role: 'admin', name: 'n', agentIds: [] });
      const agentToken = await prisma.apiToken.create({
        data: { userId: user.id, role: 'agent', tokenPrefix: 'ast_y', tokenHash: randomUUID(), agentIds: ['a', 'b'] },
      });
      expect((await prisma.apiToken.findUniqueOrThrow({ where: { id: agentToken.id } })).agentIds).toEqual(['a', 'b']);
      expect(read.events[0]).toMatchObject({ model: 'm', promptTokens: 1, completionTokens: 2, taskId, parentId });
      expect(read.events[0].costUsd?.toString()).toBe('0.25');
      expect(read.events[0].task).toMatchObject({
        id: taskId,
        status: 'failed',
        attempts: 2,
        leaseOwner: 'w',
        error: 'e',
        turnId: 'turn-1',
        requestHash: 'h',
        traceContext: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
      });
      expect(read.events[0].triggers?.id).toBe(taskId);
      expect(read.events[0].responds?.id).toBe(taskId);

      const access = await prisma.accessLog.create({
        data: {
          tokenId: token.id,
          actorId: user.id,
          actorRole: 'reviewer',
          action: 'session.read',
          sessionId: session.id,
          taskId,
          detail: { path: '/x' },
        },
      });
      expect(await prisma.accessLog.findUniqueOrThrow({ where: { id: access.id } })).toMatchObject({
        actorRole: 'reviewer',
        taskId,
        detail: { path: '/x' },
      });
      await prisma.userState.create({
        data: { userId: user.id, agentId: 'echo', state: { u: 1 }, updatedAt: new Date() },
      });
      await prisma.appState.create({ data: { agentId: `drift-${user.id}`, state: { a: 1 }, updatedAt: new Date() } });
      expect(
        await prisma.user.findUniqueOrThrow({ where: { id: user.id }, include: { userStates: true } }),
      ).toMatchObject({ userStates: [{ agentId: 'echo', state: { u: 1 } }] });
      expect(await prisma.appState.findUniqueOrThrow({ where: { agentId: `drift-${user.id}` } })).toMatchObject({
        state: { a: 1 },
      });
      const note = await prisma.annotation.create({
        data: {
          sessionId: session.id,
          seq: 1,
          eventId: read.events[0].id,
          text: 'refund approved',
          labels: ['refund', 'vip'],
          shared: true,
          authorId: user.id,
          authorRole: 'admin',
        },
      });
      expect(await prisma.annotation.findUniqueOrThrow({ where: { id: note.id } })).toMatchObject({
        sessionId: session.id,
        seq: 1,
        eventId: read.events[0].id,
        text: 'refund approved',
        labels: ['refund', 'vip'],
        shared: true,
        authorId: user.id,
        authorRole: 'admin',
      });
      expect(
        (await prisma.session.findUniqueOrThrow({ where: { id: session.id }, include: { annotations: true } }))
          .annotations,
      ).toHaveLength(1);
      const purge = await prisma.purgeLog.create({
        data: {
          sessionId: session.id,
          userId: user.id,
          agentId: 'echo',
          sessionCreatedAt: new Date(),
          lastActivityAt: new Date(),
          eventCount: 3,
          retentionDays: 30,
          purgedBy: 'ops',
        },
      });
      expect(await prisma.purgeLog.findUniqueOrThrow({ where: { id: purge.id } })).toMatchObject({
        eventCount: 3,
        retentionDays: 30,
        purgedBy: 'ops',
      });
      const ticket = await prisma.wsTicket.create({
        data: {
          ticketHash: randomUUID(),
          tokenId: token.id,
          sessionId: session.id,
          expiresAt: new Date(Date.now() + 30_000),
          consumedAt: new Date(),
        },
      });
      expect(await prisma.wsTicket.findUniqueOrThrow({ where: { id: ticket.id } })).toMatchObject({
        ticketHash: ticket.ticketHash,
        tokenId: token.id,
        sessionId: session.id,
        createdAt: expect.any(Date),
        consumedAt: expect.any(Date),
      });

      const webhook = await prisma.webhook.create({
        data: {
          kind: 'a2a',
          ownerId: user.id,
          sessionId: session.id,
          taskId,
          configId: 'cfg',
          url: 'https://example.com/hook',
          token: 't',
          authScheme: 'Bearer',
          authCredentials: 'c',
          secret: 's',
          wireVersion: '1.0',
          updatedAt: new Date(),
        },
      });
      const delivery = await prisma.webhookDelivery.create({
        data: {
          webhookId: webhook.id,
          sessionId: session.id,
          taskId,
          topic: 'session.event',
          taskStatus: 'completed',
          eventId,
          eventSeq: 1,
          status: 'failed',
          attempts: 4,
          nextAttemptAt: new Date(),
          lastAttemptAt: new Date(),
          lastStatusCode: 500,
          lastError: 'HTTP 500',
          deliveredAt: new Date(),
          attemptLog: [{ attempt: 1, statusCode: 500 }],
        },
      });
      const hooked = await prisma.webhook.findUniqueOrThrow({
        where: { id: webhook.id },
        include: { deliveries: true, session: true, task: true },
      });
      expect(hooked).toMatchObject({
        kind: 'a2a',
        configId: 'cfg',
        authScheme: 'Bearer',
        authCredentials: 'c',
        wireVersion: '1.0',
        task: { id: taskId },
        session: { id: session.id },
      });
      expect(hooked.deliveries[0]).toMatchObject({
        id: delivery.id,
        topic: 'session.event',
        taskStatus: 'completed',
        eventId,
        eventSeq: 1,
        attempts: 4,
        lastStatusCode: 500,
        lastError: 'HTTP 500',
        attemptLog: [{ attempt: 1, statusCode: 500 }],
      });
    } finally {
      await prisma.$disconnect();
    }
  });

  it('keeps reading the history from the database through the API', async () => {
    const res = await t.http().get(`/v1/sessions/${sessionId}/events`).set(auth(token));
    expect(res.body.data.map((e: { seq: number }) => e.seq)).toEqual([1, 2]);
  });
});
