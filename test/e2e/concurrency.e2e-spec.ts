import { randomUUID } from 'node:crypto';
import { auth, createSession, eventually, text } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { sql } from '../helpers/test-database.js';

describe('concurrent appends and idempotent retries', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp();
    token = await t.token('alice');
  });
  afterAll(() => t.close());

  it('gives 100 concurrent appends to one session seq 1..100 with no gap or duplicate, each with one task', async () => {
    const session = await createSession(t, token);
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        t
          .http()
          .post(`/v1/sessions/${session.id}/events`)
          .set(auth(token))
          .send({ parts: text(`m${i}`) }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(100).fill(202));
    // The worker answers while the appends run, so agent events interleave: the user events' seqs are
    // distinct, and once every task is answered the whole session is exactly 1..200.
    const seqs = results.map((r) => r.body.event.seq as number);
    expect(new Set(seqs).size).toBe(100);
    const rows = await sql<{ n: string; tasks: string }>(
      t.db.url,
      "SELECT count(*) AS n, (SELECT count(*) FROM tasks WHERE session_id = $1) AS tasks FROM events WHERE session_id = $1 AND role = 'user'",
      [session.id],
    );
    expect(rows[0]).toEqual({ n: '100', tasks: '100' });
    // every task is answered exactly once, and in turn order
    const answered = await eventually(
      () =>
        sql<{ status: string; n: string }>(
          t.db.url,
          'SELECT status, count(*) AS n FROM tasks WHERE session_id = $1 GROUP BY status',
          [session.id],
        ),
      (r) => r.length === 1 && r[0].status === 'completed',
      30_000,
    );
    expect(answered).toEqual([{ status: 'completed', n: '100' }]);
    const responses = await sql<{ n: string; distinct_tasks: string }>(
      t.db.url,
      "SELECT count(*) AS n, count(DISTINCT task_id) AS distinct_tasks FROM events WHERE session_id = $1 AND role = 'agent'",
      [session.id],
    );
    expect(responses[0]).toEqual({ n: '100', distinct_tasks: '100' });
    const all = await sql<{ seq: number }>(t.db.url, 'SELECT seq FROM events WHERE session_id = $1 ORDER BY seq', [
      session.id,
    ]);
    expect(all.map((r) => r.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const session2 = await t.http().get(`/v1/sessions/${session.id}`).set(auth(token));
    expect(session2.body).toMatchObject({ eventCount: 200, turnCount: 100 });
  });

  it('returns the original event (200) when a client retries with the same id and body', async () => {
    const session = await createSession(t, token);
    const id = randomUUID();
    const body = { id, parts: text('exactly once'), metadata: { a: 1, b: 2 } };
    const first = await t.http().post(`/v1/sessions/${session.id}/events`).set(auth(token)).send(body);
    expect(first.status).toBe(202);
    const retry = await t
      .http()
      .post(`/v1/sessions/${session.id}/events`)
      .set(auth(token))
      .send({ ...body, metadata: { b: 2, a: 1 } });
    expect(retry.status).toBe(200);
    expect(retry.body.event).toEqual(first.body.event);
    expect(retry.body.task.id).toBe(first.body.task.id);
    const conflict = await t
      .http()
      .post(`/v1/sessions/${session.id}/events`)
      .set(auth(token))
      .send({ id, parts: text('something else') });
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe('event/id_conflict');
    const count = await sql<{ n: string }>(
      t.db.url,
      "SELECT count(*) AS n FROM events WHERE session_id = $1 AND role = 'user'",
      [session.id],
    );
    expect(count[0].n).toBe('1');
  });

  it('stores a concurrently retried event once', async () => {
    const session = await createSession(t, token);
    const body = { id: randomUUID(), parts: text('racing retries') };
    const results = await Promise.all(
      Array.from({ length: 10 }, () => t.http().post(`/v1/sessions/${session.id}/events`).set(auth(token)).send(body)),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(9);
    expect(new Set(results.map((r) => r.body.event.seq))).toEqual(new Set([1]));
  });

  it('scopes a client event id to its session: another user reusing it neither learns of it nor blocks it', async () => {
    const session = await createSession(t, token);
    const bob = await t.token('bob');
    const bobSession = await createSession(t, bob);
    const id = randomUUID();
    const mine = await t
      .http()
      .post(`/v1/sessions/${session.id}/events`)
      .set(auth(token))
      .send({ id, parts: text('secret') });
    expect(mine.status).toBe(202);
    // The same id and body, and then another body, in bob's own session: a new event each time it is new there.
    const theirs = await t
      .http()
      .post(`/v1/sessions/${bobSession.id}/events`)
      .set(auth(bob))
      .send({ id, parts: text('secret') });
    expect(theirs.status).toBe(202);
    expect(theirs.body.event).toMatchObject({ id, sessionId: bobSession.id, seq: 1 });
    expect(theirs.body.task.id).not.toBe(mine.body.task.id);
    expect(JSON.stringify(theirs.body)).not.toContain(session.id);
    // Bob posting to alice's session with her id sees exactly what an unknown id gets there: 404.
    const probe = await t
      .http()
      .post(`/v1/sessions/${session.id}/events`)
      .set(auth(bob))
      .send({ id, parts: text('secret') });
    const unknown = await t
      .http()
      .post(`/v1/sessions/${session.id}/events`)
      .set(auth(bob))
      .send({ id: randomUUID(), parts: text('secret') });
    expect([probe.status, probe.body.code]).toEqual([404, 'session/not_found']);
    expect([unknown.status, unknown.body.code]).toEqual([404, 'session/not_found']);
    // Alice's retry is still a retry, and each sees only its own event under that id.
    const retry = await t
      .http()
      .post(`/v1/sessions/${session.id}/events`)
      .set(auth(token))
      .send({ id, parts: text('secret') });
    expect(retry.status).toBe(200);
    expect(retry.body.event).toEqual(mine.body.event);
    const conflict = await t
      .http()
      .post(`/v1/sessions/${bobSession.id}/events`)
      .set(auth(bob))
      .send({ id, parts: text('other') });
    expect([conflict.status, conflict.body.code]).toEqual([409, 'event/id_conflict']);
    for (const [s, tok, owner] of [
      [session.id, token, session.id],
      [bobSession.id, bob, bobSession.id],
    ]) {
      const history = await t.http().get(`/v1/sessions/${s}/events`).set(auth(tok));
      expect(
        history.body.data.filter((e: { id: string }) => e.id === id).map((e: { sessionId: string }) => e.sessionId),
      ).toEqual([owner]);
    }
  });

  it('lets the owner of an id write it after another user used the same id first', async () => {
    const session = await createSession(t, token);
    const eve = await t.token('eve');
    const eveSession = await createSession(t, eve);
    const id = randomUUID();
    const first = await t
      .http()
      .post(`/v1/sessions/${eveSession.id}/events`)
      .set(auth(eve))
      .send({ id, parts: text('squatting') });
    expect(first.status).toBe(202);
    const later = await t
      .http()
      .post(`/v1/sessions/${session.id}/events`)
      .set(auth(token))
      .send({ id, parts: text('mine') });
    expect(later.status).toBe(202);
    expect(later.body.event).toMatchObject({ id, sessionId: session.id, parts: text('mine') });
    const rows = await sql<{ session_id: string }>(
      t.db.url,
      'SELECT session_id FROM events WHERE id = $1 ORDER BY seq',
      [id],
    );
    expect(rows.map((r) => r.session_id).sort()).toEqual([session.id, eveSession.id].sort());
  });
});
