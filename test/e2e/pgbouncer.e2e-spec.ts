import { TokensService } from '../../src/identity/tokens/tokens.service.js';
import { auth, createSession, eventually, say } from '../helpers/factories.js';
import { PgBouncer } from '../helpers/pgbouncer.js';
import { readSse, type SseMessage } from '../helpers/sse-client.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const seqsOf = (messages: SseMessage[]) => messages.filter((m) => m.event === 'session.event').map((m) => Number(m.id));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * The pool goes through PgBouncer in transaction pooling mode; LISTEN and migrations need a session, so they
 * go direct. The worker's poll fallback stays at its 1 s default, so only notifications make turns fast.
 */
describe('behind PgBouncer in transaction pooling mode', () => {
  let bouncer: PgBouncer;
  let db: TestDatabase;
  let t: TestApp;
  let other: TestApp;
  let alice: string;

  beforeAll(async () => {
    bouncer = await PgBouncer.start(process.env.TEST_ADMIN_DATABASE_URL!);
    db = await createTestDatabase();
    const env = { WORKER_POLL_MS: '1000', DATABASE_LISTEN_URL: db.url, DATABASE_MIGRATE_URL: db.url };
    t = await startTestApp({ db, databaseUrl: bouncer.url(db.url), env });
    other = await startTestApp({ db, databaseUrl: bouncer.url(db.url), env: { ...env, WORKER_ENABLED: 'false' } });
    alice = await t.token('alice');
  });

  afterAll(async () => {
    await other?.close();
    await t?.close();
    await bouncer?.stop();
    await db?.drop();
  });

  it('is ready, and its queries really pass through PgBouncer', async () => {
    for (const app of [t, other]) {
      const ready = await app.http().get('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.info).toMatchObject({ database: { status: 'up' }, listener: { status: 'up' } });
    }
    await createSession(t, alice);
    expect(
      await eventually(
        () => bouncer.transactions(db.name),
        (n) => n > 0,
        5_000,
      ),
    ).toBeGreaterThan(0);
  });

  it('answers ?wait=true turns at normal latency, well under the 1 s poll fallback', async () => {
    const session = await createSession(t, alice);
    const took: number[] = [];
    for (let turn = 1; turn <= 7; turn++) {
      const started = performance.now();
      const res = await say(t, alice, session.id, `turn ${turn}`);
      took.push(performance.now() - started);
      expect(res.status).toBe(201);
      expect(res.body.response.parts[0].text).toContain(`turn ${turn}`);
    }
    expect(median(took)).toBeLessThan(800);
  });

  it('delivers a new event to a live stream on another instance promptly', async () => {
    const session = await createSession(t, alice);
    await say(t, alice, session.id, 'before');
    let postedAt = 0;
    let arrivedAt = 0;
    const result = await readSse(`${other.baseUrl}/v1/sessions/${session.id}/stream?after=1`, {
      headers: auth(alice),
      onMessage: async (_m, all) => {
        if (!postedAt && seqsOf(all).includes(2)) {
          // Let the stream finish its replay and settle on live notifications first.
          await new Promise((resolve) => setTimeout(resolve, 200));
          postedAt = performance.now();
          const res = await say(t, alice, session.id, 'after', false);
          expect(res.status).toBe(202);
        }
        if (!arrivedAt && seqsOf(all).includes(3)) arrivedAt = performance.now();
      },
      until: (all) => seqsOf(all).includes(3),
      timeoutMs: 5_000,
    });
    expect(seqsOf(result.messages)).toEqual([2, 3]);
    expect(arrivedAt - postedAt).toBeLessThan(500);
  });

  it('revokes a token cached by another instance within a second', async () => {
    const token = await t.token('frank');
    expect((await other.http().get('/v1/sessions').set(auth(token))).status).toBe(200);
    const revokedAt = performance.now();
    await t.app.get(TokensService).revoke(token.slice(0, 12));
    await eventually(
      async () => (await other.http().get('/v1/sessions').set(auth(token))).status,
      (status) => status === 401,
      2_000,
    );
    expect(performance.now() - revokedAt).toBeLessThan(1_000);
  });
});

describe('with the listener also behind PgBouncer in transaction pooling mode', () => {
  it('is found deaf by the self-check: readiness fails with the listener down', async () => {
    const bouncer = await PgBouncer.start(process.env.TEST_ADMIN_DATABASE_URL!);
    const db = await createTestDatabase();
    const pooled = bouncer.url(db.url);
    const t = await startTestApp({
      db,
      databaseUrl: pooled,
      env: { LISTENER_CHECK_MS: '100', DATABASE_LISTEN_URL: pooled, DATABASE_MIGRATE_URL: db.url },
    });
    try {
      const ready = await eventually(
        () => t.http().get('/health/ready'),
        (res) => res.status === 503,
      );
      expect(ready.body).toMatchObject({
        status: 'error',
        info: { database: { status: 'up' } },
        error: { listener: { status: 'down', message: 'notifications are not arriving' } },
      });
    } finally {
      await t.close();
      await bouncer.stop();
      await db.drop();
    }
  });
});
