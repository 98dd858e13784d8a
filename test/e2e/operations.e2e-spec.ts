import { auth, createSession, eventually, say } from '../helpers/factories.js';
import { createTestDatabase } from '../helpers/test-database.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

describe('operations: health, readiness and metrics', () => {
  let t: TestApp;
  let admin: string;
  let user: string;

  beforeAll(async () => {
    // Pings every second (deaf after 3 s without one): often enough for the lag test, and a ping slowed by a
    // busy CI machine does not make the listener look deaf.
    t = await startTestApp({ env: { LISTENER_CHECK_MS: '1000' } });
    [admin, user] = await Promise.all([t.token('ops', 'admin'), t.token('uma')]);
  });
  afterAll(() => t.close());

  it('answers liveness and readiness without a token, never rate-limited', async () => {
    expect((await t.http().get('/health/live')).body).toEqual({ status: 'ok' });
    const ready = await t.http().get('/health/ready');
    expect(ready.body).toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' }, migrations: { status: 'up' }, listener: { status: 'up' } },
    });
    expect(ready.status).toBe(200);
    const legacy = await t.http().get('/health');
    expect(legacy.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
  });

  it('serves Prometheus metrics to admins only', async () => {
    expect((await t.http().get('/metrics')).status).toBe(401);
    expect((await t.http().get('/metrics').set(auth(user))).status).toBe(403);
    const session = await createSession(t, user);
    await say(t, user, session.id, 'count me');
    const res = await t.http().get('/metrics').set(auth(admin));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.text;
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/v1\/sessions\/:id\/events",status="201"\} 1/,
    );
    expect(text).toMatch(/session_events_appended_total\{role="user"\} 1/);
    expect(text).toMatch(/tasks_settled_total\{agent="echo",status="completed"\} 1/);
    expect(text).toMatch(/agent_call_duration_seconds_count\{agent="echo",outcome="completed"\} 1/);
    expect(text).toMatch(/tasks_open\{status="submitted"\} 0/);
    expect(text).toMatch(/task_queue_oldest_age_seconds 0/);
    expect(text).toMatch(/db_pool_connections\{state="idle"\} \d+/);
    expect(text).toMatch(/sse_streams_open 0/);
    expect(text).toMatch(/process_resident_memory_bytes \d+/);
  });

  it('measures notification lag with the listener self-check', async () => {
    const lag = await eventually(
      async () => (await t.http().get('/metrics').set(auth(admin))).text,
      (text) => /notification_lag_seconds_count [1-9]/.test(text),
    );
    expect(lag).toMatch(/notification_lag_seconds_bucket\{le="\+Inf"\} [1-9]/);
  });
});

describe('a listener that hears nothing', () => {
  it('is found deaf by its self-check: readiness fails and says why', async () => {
    // LISTEN on another database hears none of this database's NOTIFYs, as behind a transaction pooler.
    const elsewhere = await createTestDatabase();
    const t = await startTestApp({ env: { LISTENER_CHECK_MS: '100', DATABASE_LISTEN_URL: elsewhere.url } });
    try {
      const ready = await eventually(
        () => t.http().get('/health/ready'),
        (res) => res.status === 503,
      );
      expect(ready.headers['retry-after']).toBe('2');
      expect(ready.body).toMatchObject({
        status: 'error',
        error: { listener: { status: 'down', message: 'notifications are not arriving' } },
      });
      expect((await t.http().get('/health/live')).status).toBe(200);
    } finally {
      await t.close();
      await elsewhere.drop();
    }
  });
});
