import { Client } from 'pg';
import { auth, createSession, say } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { StatsRepository } from '../../src/oversight/stats/stats.repository.js';

const utcDay = (offsetDays: number) => new Date(Date.now() - offsetDays * 86_400_000).toISOString().slice(0, 10);

describe('GET /v1/admin/stats', () => {
  let t: TestApp;
  let db: Client;
  let alice: string;
  let admin: string;
  let firstTask: string;

  // No worker: the tasks stay queued, so the oldest queued task is known.
  beforeAll(async () => {
    t = await startTestApp({ env: { WORKER_ENABLED: 'false' } });
    [alice, admin] = await Promise.all([t.token('alice'), t.token('ada', 'admin')]);
    const [a, b, c, d] = await Promise.all([1, 2, 3, 4].map(() => createSession(t, alice)));
    firstTask = (await say(t, alice, a.id, 'first', false)).body.task.id;
    await say(t, alice, b.id, 'second', false);
    for (const closed of [c, d])
      expect((await t.http().delete(`/v1/sessions/${closed.id}`).set(auth(alice))).status).toBe(204);
    db = new Client({ connectionString: t.db.url });
    await db.connect();
    // A user message from three days ago (events are append-only: inserted, never moved back in time).
    await db.query(
      `INSERT INTO events (id, session_id, seq, type, role, parts, created_at, hash)
       VALUES (gen_random_uuid(), $1, 1000, 'message', 'user', '[]', now() - interval '3 days', '\\x00')`,
      [b.id],
    );
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  const stats = (token: string, query = '') => t.http().get(`/v1/admin/stats${query}`).set(auth(token));

  it('is for admins only', async () => {
    expect((await stats(alice)).status).toBe(403);
    expect((await stats(await t.token('rita', 'reviewer'))).status).toBe(403);
    expect((await t.http().get('/v1/admin/stats')).status).toBe(401);
  });

  it('counts sessions and tasks by status, exactly on small tables', async () => {
    const res = await stats(admin);
    expect(res.status).toBe(200);
    expect(res.body.sessionsByStatus).toEqual({
      estimated: false,
      counts: { active: 2, input_required: 0, completed: 0, closed: 2, expired: 0 },
    });
    expect(res.body.tasksByStatus.estimated).toBe(false);
    expect(res.body.tasksByStatus.counts).toMatchObject({ submitted: 2, working: 0, completed: 0, failed: 0 });
    expect(res.body.oldestQueuedTask.id).toBe(firstTask);
    expect(res.body.oldestQueuedTask.ageSeconds).toBeGreaterThanOrEqual(0);
  });

  it('gives events and turns per UTC day for the last N days, zero-filled, today last', async () => {
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM events WHERE created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`,
    );
    const res = await stats(admin, '?days=5');
    expect(res.status).toBe(200);
    expect(res.body.days).toBe(5);
    expect(res.body.daily.map((d: { day: string }) => d.day)).toEqual([4, 3, 2, 1, 0].map(utcDay));
    expect(res.body.daily[4]).toEqual({ day: utcDay(0), events: Number(rows[0].n), turns: 2 });
    expect(res.body.daily[1]).toEqual({ day: utcDay(3), events: 1, turns: 1 });
    expect(res.body.daily[0]).toEqual({ day: utcDay(4), events: 0, turns: 0 });
    expect((await stats(admin)).body.daily).toHaveLength(14);
    expect((await stats(admin, '?days=1')).body.daily).toEqual([res.body.daily[4]]);
  });

  it.each(['0', '91', 'x', '1.5'])('rejects days=%s', async (days) => {
    expect((await stats(admin, `?days=${days}`)).status).toBe(400);
  });

  it('records the read in the access log', async () => {
    await stats(admin, '?days=7');
    const log = await t.http().get('/v1/admin/access-log?actorId=ada').set(auth(admin));
    const entry = log.body.data.find((e: { action: string }) => e.action === 'admin.stats');
    expect(entry).toMatchObject({ actorRole: 'admin', detail: { path: '/v1/admin/stats', query: { days: '7' } } });
  });

  it('estimates from planner statistics when a table is too large to count, and says so', async () => {
    await db.query('ANALYZE sessions');
    const counts = await t.app.get(StatsRepository).statusCounts('sessions', 0);
    // Planner statistics keep only values seen more than once: a status held by a single row reads as 0.
    expect(counts).toEqual({ estimated: true, counts: { active: 2, closed: 2 } });
  });

  it('reads events by day and the oldest queued task through indexes', async () => {
    await db.query('SET enable_seqscan = off');
    const plan = async (sql: string) => (await db.query(`EXPLAIN ${sql}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(await plan(`SELECT count(*) FROM events WHERE created_at >= now() - interval '14 days'`)).toContain(
      'events_created_at_brin_idx',
    );
    // Either partial index of pending tasks serves it (the hosted queue's, or the pull workers' per agent).
    expect(await plan(`SELECT id FROM tasks WHERE status = 'submitted' ORDER BY created_at LIMIT 1`)).toMatch(
      /tasks_pending(_agent)?_idx/,
    );
  });
});
