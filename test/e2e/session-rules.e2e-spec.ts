import { auth, createSession, say } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { sql } from '../helpers/test-database.js';

describe('a child session needs an open parent', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { WORKER_ENABLED: 'false', EXPIRY_SWEEP_MS: '60000' } });
    token = await t.token('parenting');
  });
  afterAll(() => t.close());

  const child = (parentId: string) =>
    t.http().post('/v1/sessions').set(auth(token)).send({ agentId: 'echo', parentId });

  it('is created under an open parent', async () => {
    const parent = await createSession(t, token);
    expect((await child(parent.id)).status).toBe(201);
  });

  it('is refused under a closed parent, which keeps no child', async () => {
    const parent = await createSession(t, token);
    await t.http().delete(`/v1/sessions/${parent.id}`).set(auth(token)).expect(204);
    const res = await child(parent.id);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      code: 'session/parent_not_writable',
      message: 'parent session is closed and accepts no new child sessions',
    });
    expect((await t.http().get(`/v1/sessions/${parent.id}/children`).set(auth(token))).body.data).toEqual([]);
  });

  it('is refused under a parent whose TTL has passed, even before the sweeper marks it expired', async () => {
    const parent = await createSession(t, token, { ttlSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const res = await child(parent.id);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      code: 'session/parent_not_writable',
      message: expect.stringContaining('expired'),
    });
  });
});

describe('cost: NULL means unknown, 0 means free, in events, sessions, views and the API', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    // The echo agent's model "echo" has no price here.
    t = await startTestApp();
    token = await t.token('analyst');
  });
  afterAll(() => t.close());

  it("an unpriced answer leaves the session's cost unknown and is counted", async () => {
    const session = await createSession(t, token);
    const answer = await say(t, token, session.id, 'hello');
    expect(answer.body.response.usage).toMatchObject({ model: 'echo', costUsd: null });
    const read = await t.http().get(`/v1/sessions/${session.id}`).set(auth(token));
    expect(read.body.usage).toMatchObject({ costUsd: null, unpricedAnswers: 1 });
    const [summary] = await sql(
      t.db.url,
      'SELECT cost_usd, unpriced_answers FROM session_summary WHERE session_id = $1',
      [session.id],
    );
    expect(summary).toEqual({ cost_usd: null, unpriced_answers: 1 });
    const [events] = await sql(t.db.url, 'SELECT sum(cost_usd) AS cost FROM events WHERE session_id = $1', [
      session.id,
    ]);
    expect(events).toEqual({ cost: null });
    const [daily] = await sql(t.db.url, "SELECT cost_usd, unpriced_answers FROM daily_usage WHERE user_id = 'analyst'");
    expect(daily).toEqual({ cost_usd: null, unpriced_answers: '1' });
  });

  it('a session with no answers has no known cost and nothing unpriced', async () => {
    const session = await createSession(t, token);
    expect((await t.http().get(`/v1/sessions/${session.id}`).set(auth(token))).body.usage).toMatchObject({
      costUsd: null,
      unpricedAnswers: 0,
    });
  });

  it('a free answer costs 0 in the event, the session and the views', async () => {
    const free = await startTestApp({ env: { MODEL_PRICES: JSON.stringify({ echo: { prompt: 0, completion: 0 } }) } });
    try {
      const owner = await free.token('analyst');
      const session = await createSession(free, owner);
      const answer = await say(free, owner, session.id, 'hello');
      expect(answer.body.response.usage).toMatchObject({ model: 'echo', costUsd: 0 });
      expect((await free.http().get(`/v1/sessions/${session.id}`).set(auth(owner))).body.usage).toMatchObject({
        costUsd: 0,
        unpricedAnswers: 0,
      });
      const [summary] = await sql(
        free.db.url,
        'SELECT cost_usd, unpriced_answers FROM session_summary WHERE session_id = $1',
        [session.id],
      );
      expect(summary).toEqual({ cost_usd: '0.000000', unpriced_answers: 0 });
    } finally {
      await free.close();
    }
  });
});
