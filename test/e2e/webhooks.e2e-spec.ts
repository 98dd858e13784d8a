import { auth, createSession, eventually, say } from '../helpers/factories.js';
import { PrismaService } from '../../src/platform/database/prisma.service.js';
import { RetentionRepository } from '../../src/oversight/retention/retention.repository.js';
import { RetentionService } from '../../src/oversight/retention/retention.service.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { sql } from '../helpers/test-database.js';
import { verifySignature, WebhookReceiver } from '../helpers/webhook-receiver.js';

interface Delivery {
  id: string;
  type: string;
  taskStatus: string | null;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  attemptLog: { attempt: number; at: string; statusCode: number | null; error: string | null }[];
}

describe('session webhooks (REST)', () => {
  const receiver = new WebhookReceiver();
  let t: TestApp;
  let alice: string;
  let bob: string;
  let rita: string;

  const deliveries = async (sessionId: string): Promise<Delivery[]> =>
    (await t.http().get(`/v1/sessions/${sessionId}/webhook/deliveries`).set(auth(alice)).expect(200)).body.data;

  beforeAll(async () => {
    await receiver.start();
    t = await startTestApp({
      env: { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_BACKOFF_MS: '200', WEBHOOK_MAX_ATTEMPTS: '3' },
    });
    [alice, bob, rita] = await Promise.all([t.token('alice'), t.token('bob'), t.token('rita', 'reviewer')]);
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });

  it('creates a webhook with a secret shown once, changes it, shows it without the secret, deletes it', async () => {
    const session = await createSession(t, alice);
    const path = `/v1/sessions/${session.id}/webhook`;
    const created = await t
      .http()
      .put(path)
      .set(auth(alice))
      .send({ url: `${receiver.url}/crud` })
      .expect(201);
    expect(created.body).toMatchObject({ sessionId: session.id, url: `${receiver.url}/crud`, hasToken: false });
    expect(created.body.secret).toMatch(/^whsec_[\w-]{43}$/);
    const changed = await t
      .http()
      .put(path)
      .set(auth(alice))
      .send({ url: `${receiver.url}/crud2`, token: 'tok' })
      .expect(200);
    expect(changed.body).toMatchObject({ id: created.body.id, url: `${receiver.url}/crud2`, hasToken: true });
    expect(changed.body.secret).toBeUndefined();
    const shown = await t.http().get(path).set(auth(alice)).expect(200);
    expect(shown.body.secret).toBeUndefined();
    expect(shown.body.url).toBe(`${receiver.url}/crud2`);
    await t.http().get(path).set(auth(rita)).expect(200);
    await t
      .http()
      .put(path)
      .set(auth(rita))
      .send({ url: `${receiver.url}/x` })
      .expect(403);
    await t.http().delete(path).set(auth(alice)).expect(204);
    const gone = await t.http().get(path).set(auth(alice)).expect(404);
    expect(gone.body.code).toBe('webhook/not_found');
  });

  it("answers 404 for another user's session, whatever the method", async () => {
    const session = await createSession(t, alice);
    const path = `/v1/sessions/${session.id}/webhook`;
    await t
      .http()
      .put(path)
      .set(auth(alice))
      .send({ url: `${receiver.url}/mine` })
      .expect(201);
    for (const res of [
      await t
        .http()
        .put(path)
        .set(auth(bob))
        .send({ url: `${receiver.url}/theirs` }),
      await t.http().get(path).set(auth(bob)),
      await t.http().delete(path).set(auth(bob)),
      await t.http().get(`${path}/deliveries`).set(auth(bob)),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('session/not_found');
    }
  });

  it('refuses bad input: not http(s), credentials in the URL, unknown fields', async () => {
    const session = await createSession(t, alice);
    const path = `/v1/sessions/${session.id}/webhook`;
    for (const url of ['ftp://example.com/x', 'not a url', 'http://user:pw@example.com/x', 'file:///etc/passwd']) {
      const res = await t.http().put(path).set(auth(alice)).send({ url });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('webhook/url_refused');
    }
    await t
      .http()
      .put(path)
      .set(auth(alice))
      .send({ url: `${receiver.url}/x`, extra: 1 })
      .expect(400);
  });

  it('delivers task status changes and agent events in order, signed with the secret', async () => {
    const session = await createSession(t, alice);
    const put = await t
      .http()
      .put(`/v1/sessions/${session.id}/webhook`)
      .set(auth(alice))
      .send({ url: `${receiver.url}/signed`, token: 'receiver-token' })
      .expect(201);
    const secret = put.body.secret as string;
    const answer = await say(t, alice, session.id, 'hello hook');
    expect(answer.status).toBe(201);
    const got = await eventually(
      async () => receiver.at('/signed'),
      (list) => list.some((d) => d.body.type === 'task.status' && d.body.status === 'completed'),
    );
    await eventually(
      async () => receiver.at('/signed'),
      (list) => list.some((d) => d.body.type === 'session.event'),
    );
    for (const delivery of receiver.at('/signed')) {
      expect(verifySignature(delivery.headers['webhook-signature'] as string, delivery.raw, secret)).toBe(true);
      expect(verifySignature(delivery.headers['webhook-signature'] as string, `${delivery.raw} `, secret)).toBe(false);
      expect(delivery.headers['x-webhook-token']).toBe('receiver-token');
      expect(delivery.headers.authorization).toBeUndefined();
      expect(delivery.headers['webhook-id']).toBe(delivery.body.id);
    }
    const statuses = got.filter((d) => d.body.type === 'task.status').map((d) => d.body.status);
    expect(statuses).toEqual(['submitted', 'working', 'completed']);
    const completed = got.find((d) => d.body.status === 'completed')!;
    expect(completed.body.task).toMatchObject({ id: answer.body.task.id, sessionId: session.id, status: 'completed' });
    const event = receiver.at('/signed').find((d) => d.body.type === 'session.event')!;
    expect(event.body.event).toMatchObject({ role: 'agent', type: 'message', taskId: answer.body.task.id });
    expect(event.body.event.parts[0].text).toContain('hello hook');
    const log = await eventually(
      () => deliveries(session.id),
      (list) => list.length === 4 && list.every((d) => d.status === 'delivered'),
    );
    expect(log.map((d) => d.taskStatus ?? d.type)).toEqual(['completed', 'session.event', 'working', 'submitted']);
    expect(log.every((d) => d.attempts === 1 && d.lastStatusCode === 200)).toBe(true);
  });

  it('retries a failing receiver with backoff: 500, 500, then 200 is delivered on the third attempt', async () => {
    receiver.answer('/flaky', (nth) => (nth <= 2 ? 500 : 200));
    const session = await createSession(t, alice);
    await t
      .http()
      .put(`/v1/sessions/${session.id}/webhook`)
      .set(auth(alice))
      .send({ url: `${receiver.url}/flaky` })
      .expect(201);
    await say(t, alice, session.id, 'flaky');
    const log = await eventually(
      () => deliveries(session.id),
      (list) => list.length > 0 && list.every((d) => d.status === 'delivered'),
      15_000,
    );
    const first = log.at(-1)!;
    expect(first).toMatchObject({ taskStatus: 'submitted', attempts: 3, lastStatusCode: 200, lastError: null });
    expect(first.attemptLog.map((a) => [a.attempt, a.statusCode, a.error])).toEqual([
      [1, 500, 'HTTP 500'],
      [2, 500, 'HTTP 500'],
      [3, 200, null],
    ]);
    const hits = receiver.at('/flaky').filter((d) => d.body.id === first.id);
    expect(hits).toHaveLength(3);
    // WEBHOOK_BACKOFF_MS=200 with equal jitter: the first retry waits at least 100 ms, the second at least 200 ms
    expect(hits[1].at - hits[0].at).toBeGreaterThanOrEqual(100);
    expect(hits[2].at - hits[1].at).toBeGreaterThanOrEqual(200);
    // the later deliveries waited for the first (in-order delivery) and then went through at once
    expect(log.slice(0, -1).every((d) => d.attempts === 1)).toBe(true);
    const metrics = await t
      .http()
      .get('/metrics')
      .set(auth(await t.token('ops', 'admin')));
    expect(metrics.text).toMatch(/webhook_deliveries_total\{outcome="retry"\} [2-9]/);
    expect(metrics.text).toMatch(/webhook_deliveries_total\{outcome="delivered"\} \d+/);
  });

  it('gives up after WEBHOOK_MAX_ATTEMPTS', async () => {
    receiver.answer('/down', () => 503);
    const session = await createSession(t, alice);
    await t
      .http()
      .put(`/v1/sessions/${session.id}/webhook`)
      .set(auth(alice))
      .send({ url: `${receiver.url}/down` })
      .expect(201);
    await say(t, alice, session.id, 'nobody listens');
    const log = await eventually(
      () => deliveries(session.id),
      // the next one waits behind a failed one no longer: it is attempted too
      (list) => list.at(-1)?.status === 'failed' && (list.at(-2)?.attempts ?? 0) >= 1,
      15_000,
    );
    expect(log.at(-1)).toMatchObject({ status: 'failed', attempts: 3, lastStatusCode: 503, lastError: 'HTTP 503' });
    expect(log.at(-2)!.attempts).toBeGreaterThanOrEqual(1);
  });

  it('writes outbox rows in the transaction of each change they report', async () => {
    const session = await createSession(t, alice);
    const hook = await t
      .http()
      .put(`/v1/sessions/${session.id}/webhook`)
      .set(auth(alice))
      .send({ url: `${receiver.url}/flaky` })
      .expect(201);
    const rows = await sql<{ topic: string; task_status: string }>(
      t.db.url,
      'SELECT topic, task_status FROM webhook_deliveries WHERE webhook_id = $1',
      [hook.body.id],
    );
    expect(rows).toEqual([]);
    await say(t, alice, session.id, 'rows');
    const written = await sql<{ topic: string; task_status: string | null }>(
      t.db.url,
      'SELECT topic, task_status FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY id',
      [hook.body.id],
    );
    expect(written.map((r) => r.task_status ?? r.topic)).toEqual([
      'submitted',
      'working',
      'session.event',
      'completed',
    ]);
  });

  it('takes the webhook on session create (secret once, signed deliveries), changes and removes it by PATCH', async () => {
    const created = await t
      .http()
      .post('/v1/sessions')
      .set(auth(alice))
      .send({ agentId: 'echo', webhook: { url: `${receiver.url}/on-create`, token: 'create-token' } })
      .expect(201);
    const session = created.body;
    expect(session.webhook).toMatchObject({ url: `${receiver.url}/on-create`, hasToken: true });
    const secret = session.webhook.secret as string;
    expect(secret).toMatch(/^whsec_[\w-]{43}$/);
    const shown = await t.http().get(`/v1/sessions/${session.id}`).set(auth(alice)).expect(200);
    expect(shown.body.webhook).toBeUndefined();
    const hook = await t.http().get(`/v1/sessions/${session.id}/webhook`).set(auth(alice)).expect(200);
    expect(hook.body).toMatchObject({ url: `${receiver.url}/on-create`, hasToken: true });
    expect(hook.body.secret).toBeUndefined();

    await say(t, alice, session.id, 'created with a hook');
    const got = await eventually(
      async () => receiver.at('/on-create'),
      (list) => list.some((d) => d.body.type === 'task.status' && d.body.status === 'completed'),
    );
    for (const delivery of got) {
      expect(verifySignature(delivery.headers['webhook-signature'] as string, delivery.raw, secret)).toBe(true);
      expect(delivery.headers['x-webhook-token']).toBe('create-token');
    }

    const patched = await t
      .http()
      .patch(`/v1/sessions/${session.id}`)
      .set(auth(alice))
      .send({ name: 'moved', webhook: { url: `${receiver.url}/on-patch` } })
      .expect(200);
    expect(patched.body).toMatchObject({
      name: 'moved',
      webhook: { url: `${receiver.url}/on-patch`, hasToken: false },
    });
    expect(patched.body.webhook.secret).toBeUndefined();
    const after = await t.http().get(`/v1/sessions/${session.id}/webhook`).set(auth(alice)).expect(200);
    expect(after.body).toMatchObject({ id: hook.body.id, url: `${receiver.url}/on-patch`, hasToken: false });
    const [row] = await sql<{ secret: string }>(t.db.url, 'SELECT secret FROM webhooks WHERE id = $1', [hook.body.id]);
    expect(row.secret).toBe(secret);
    await say(t, alice, session.id, 'after the move');
    const moved = await eventually(
      async () => receiver.at('/on-patch'),
      (list) => list.some((d) => d.body.type === 'task.status' && d.body.status === 'completed'),
    );
    expect(verifySignature(moved[0].headers['webhook-signature'] as string, moved[0].raw, secret)).toBe(true);

    const removed = await t
      .http()
      .patch(`/v1/sessions/${session.id}`)
      .set(auth(alice))
      .send({ webhook: null })
      .expect(200);
    expect(removed.body.webhook).toBeUndefined();
    const gone = await t.http().get(`/v1/sessions/${session.id}/webhook`).set(auth(alice)).expect(404);
    expect(gone.body.code).toBe('webhook/not_found');
    // removing again is a no-op; a PATCH that sets one anew creates it, with a new secret
    await t.http().patch(`/v1/sessions/${session.id}`).set(auth(alice)).send({ webhook: null }).expect(200);
    const again = await t
      .http()
      .patch(`/v1/sessions/${session.id}`)
      .set(auth(alice))
      .send({ webhook: { url: `${receiver.url}/again` } })
      .expect(200);
    expect(again.body.webhook.secret).toMatch(/^whsec_/);
    expect(again.body.webhook.secret).not.toBe(secret);
  });

  it('keeps the webhook rules on PATCH: reviewers and other users may not set one', async () => {
    const session = await createSession(t, alice);
    const path = `/v1/sessions/${session.id}`;
    const body = { webhook: { url: `${receiver.url}/nope` } };
    await t.http().patch(path).set(auth(rita)).send(body).expect(403);
    const other = await t.http().patch(path).set(auth(bob)).send(body).expect(404);
    expect(other.body.code).toBe('session/not_found');
    await t.http().get(`${path}/webhook`).set(auth(alice)).expect(404);
  });

  it('refuses malformed webhook fields on create and PATCH (400) and stores nothing', async () => {
    const count = async () =>
      Number((await sql<{ n: string }>(t.db.url, "SELECT count(*) AS n FROM sessions WHERE user_id = 'alice'"))[0].n);
    const before = await count();
    const bad: unknown[] = [
      'http://example.com/x',
      [],
      {},
      { url: 42 },
      { url: 'ftp://example.com/x' },
      { url: `https://example.com/${'a'.repeat(2048)}` },
      { url: `${receiver.url}/x`, token: '' },
      { url: `${receiver.url}/x`, token: 't'.repeat(501) },
      { url: `${receiver.url}/x`, extra: 1 },
    ];
    for (const webhook of bad) {
      const res = await t.http().post('/v1/sessions').set(auth(alice)).send({ agentId: 'echo', webhook });
      expect({ webhook, status: res.status }).toEqual({ webhook, status: 400 });
    }
    const refused = await t
      .http()
      .post('/v1/sessions')
      .set(auth(alice))
      .send({ agentId: 'echo', webhook: { url: 'http://user:pw@example.com/x' } })
      .expect(400);
    expect(refused.body.code).toBe('webhook/url_refused');
    expect(await count()).toBe(before);
    const session = await createSession(t, alice);
    for (const webhook of bad) {
      const res = await t.http().patch(`/v1/sessions/${session.id}`).set(auth(alice)).send({ webhook });
      expect({ webhook, status: res.status }).toEqual({ webhook, status: 400 });
    }
    await t.http().get(`/v1/sessions/${session.id}/webhook`).set(auth(alice)).expect(404);
  });

  // last: it purges every session of this file's database
  it('goes with its session when the retention purge removes it', async () => {
    const session = await createSession(t, alice);
    await t
      .http()
      .put(`/v1/sessions/${session.id}/webhook`)
      .set(auth(alice))
      .send({ url: `${receiver.url}/purged` })
      .expect(201);
    await say(t, alice, session.id, 'soon gone');
    const count = async (table: string) =>
      Number((await sql<{ n: string }>(t.db.url, `SELECT count(*) AS n FROM ${table}`))[0].n);
    expect(await count('webhook_deliveries')).toBeGreaterThan(0);
    const retention = new RetentionService(new RetentionRepository(t.app.get(PrismaService)));
    const result = await retention.purge(1, 'test', false, new Date(Date.now() + 3 * 86_400_000));
    expect(result.sessions).toBeGreaterThan(0);
    expect([await count('webhooks'), await count('webhook_deliveries')]).toEqual([0, 0]);
  });
});
