import { randomUUID } from 'node:crypto';
import { auth, createSession, eventually, say, text } from '../helpers/factories.js';
import { startTestApp } from '../helpers/test-app.js';
import { sql } from '../helpers/test-database.js';

describe('the task worker', () => {
  it('picks up a task whose worker crashed once its lease expires, and answers it exactly once', async () => {
    const t = await startTestApp({ env: { WORKER_ENABLED: 'false' } });
    try {
      const token = await t.token('alice');
      const session = await createSession(t, token);
      const posted = await say(t, token, session.id, 'are you there?', false);
      expect(posted.status).toBe(202);
      // A worker on another machine claimed the task and died: its lease has run out.
      await sql(
        t.db.url,
        `UPDATE tasks SET status = 'working', attempts = 1, lease_owner = 'dead-host:1:abcd',
           lease_expires_at = now() - interval '1 second', started_at = now() WHERE id = $1`,
        [posted.body.task.id],
      );
      await t.app.close();

      const revived = await startTestApp({ db: t.db, env: { TASK_LEASE_MS: '1000' } });
      try {
        const task = await eventually(
          async () => (await revived.http().get(`/v1/tasks/${posted.body.task.id}`).set(auth(token))).body,
          (body) => body.status === 'completed',
        );
        expect(task.attempts).toBe(2);
        const responses = await sql<{ n: string }>(
          t.db.url,
          "SELECT count(*) AS n FROM events WHERE task_id = $1 AND role = 'agent'",
          [task.id],
        );
        expect(responses[0].n).toBe('1');
      } finally {
        await revived.close();
      }
    } finally {
      await t.db.drop();
    }
  });

  it('never runs a task twice when two instances work on one database', async () => {
    const a = await startTestApp({ env: { WORKER_CONCURRENCY: '4' } });
    const b = await startTestApp({ db: a.db, env: { WORKER_CONCURRENCY: '4' } });
    try {
      const token = await a.token('alice');
      const sessions = await Promise.all(Array.from({ length: 10 }, () => createSession(a, token)));
      await Promise.all(
        sessions.flatMap((s) =>
          Array.from({ length: 5 }, (_, i) =>
            (i % 2 ? a : b)
              .http()
              .post(`/v1/sessions/${s.id}/events`)
              .set(auth(token))
              .send({ parts: text(`turn ${i}`) }),
          ),
        ),
      );
      const done = await eventually(
        () => sql<{ status: string; n: string }>(a.db.url, 'SELECT status, count(*) AS n FROM tasks GROUP BY status'),
        (rows) => rows.length === 1 && rows[0].status === 'completed',
        30_000,
      );
      expect(done).toEqual([{ status: 'completed', n: '50' }]);
      const dupes = await sql(
        a.db.url,
        "SELECT task_id FROM events WHERE role = 'agent' GROUP BY task_id HAVING count(*) > 1",
      );
      expect(dupes).toEqual([]);
      const attempts = await sql<{ max: number }>(a.db.url, 'SELECT max(attempts) AS max FROM tasks');
      expect(attempts[0].max).toBe(1);
      // turn order within a session: each agent answer directly follows its own user message's task
      const order = await sql<{ bad: string }>(
        a.db.url,
        `SELECT count(*) AS bad FROM tasks t JOIN events r ON r.id = t.response_event_id
         WHERE EXISTS (SELECT 1 FROM tasks p JOIN events pr ON pr.id = p.response_event_id
                       WHERE p.session_id = t.session_id AND p.trigger_seq < t.trigger_seq AND pr.seq > r.seq)`,
      );
      expect(order[0].bad).toBe('0');
    } finally {
      await b.close();
      await a.close();
    }
  });

  it('fails a task whose agent times out, with the reason stored and an error event', async () => {
    const t = await startTestApp({ env: { AGENT_TIMEOUT_MS: '300' } });
    try {
      const token = await t.token('alice');
      const session = await createSession(t, token);
      const res = await say(t, token, session.id, '/sleep 5000 too slow');
      expect(res.status).toBe(201);
      expect(res.body.task).toMatchObject({ status: 'failed', error: expect.stringContaining('timed out') });
      expect(res.body.response).toMatchObject({ type: 'error', role: 'agent' });
    } finally {
      await t.close();
    }
  });

  it("cancels a running task; the agent's late answer is not stored", async () => {
    const t = await startTestApp({ env: { TASK_LEASE_MS: '600' } });
    try {
      const token = await t.token('alice');
      const session = await createSession(t, token);
      const res = await say(t, token, session.id, '/sleep 1500 late', false);
      await eventually(
        async () => (await t.http().get(`/v1/tasks/${res.body.task.id}`).set(auth(token))).body.status,
        (status) => status === 'working',
      );
      const canceled = await t.http().post(`/v1/tasks/${res.body.task.id}/cancel`).set(auth(token));
      expect(canceled.status).toBe(200);
      expect(canceled.body.status).toBe('canceled');
      const again = await t.http().post(`/v1/tasks/${res.body.task.id}/cancel`).set(auth(token));
      expect(again.status).toBe(409);
      await new Promise((resolve) => setTimeout(resolve, 1800));
      const events = await t.http().get(`/v1/sessions/${session.id}/events`).set(auth(token));
      expect(events.body.data.map((e: { role: string }) => e.role)).toEqual(['user']);
      expect((await t.http().get(`/v1/tasks/${randomUUID()}`).set(auth(token))).status).toBe(404);
    } finally {
      await t.close();
    }
  });
});
