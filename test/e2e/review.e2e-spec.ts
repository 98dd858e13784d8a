import { auth, eventually, createSession, say } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

describe('transcript review for support teams', () => {
  let t: TestApp;
  let alice: string;
  let bob: string;
  let reviewer: string;
  let admin: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp();
    [alice, bob, reviewer, admin] = await Promise.all([
      t.token('alice'),
      t.token('bob'),
      t.token('rita', 'reviewer'),
      t.token('ada', 'admin'),
    ]);
    ids.refund = (await createSession(t, alice, { name: 'refund' })).id;
    await say(t, alice, ids.refund, 'I want a refund for my broken kettle');
    ids.failed = (await createSession(t, alice, { name: 'failing' })).id;
    await say(t, alice, ids.failed, '/fail the payment gateway timed out');
    ids.shipping = (await createSession(t, bob, { name: 'shipping' })).id;
    await say(t, bob, ids.shipping, 'Where is my parcel? It should have shipped');
    await say(t, bob, ids.shipping, 'Still waiting for the shipment');
  });
  afterAll(() => t.close());

  const search = (token: string, query: string) => t.http().get(`/v1/review/sessions?${query}`).set(auth(token));

  it('is for reviewers and admins only', async () => {
    expect((await search(alice, '')).status).toBe(403);
    expect((await search(reviewer, '')).status).toBe(200);
    expect((await search(admin, '')).status).toBe(200);
  });

  it('searches event text across all users with stemming, showing the matching seq and snippet', async () => {
    const res = await search(reviewer, 'q=shipping');
    expect(res.status).toBe(200);
    expect(res.body.data.map((s: { id: string }) => s.id)).toEqual([ids.shipping]);
    expect(res.body.data[0]).toMatchObject({ userId: 'bob', match: { seq: 1 } });
    expect(res.body.data[0].match.snippet).toContain('«shipped»');
    const refund = await search(reviewer, `q=${encodeURIComponent('"broken kettle"')}`);
    expect(refund.body.data.map((s: { id: string }) => s.id)).toEqual([ids.refund]);
    expect((await search(reviewer, 'q=zeppelin')).body.data).toEqual([]);
  });

  it('filters by user, agent, status, failed tasks and date ranges', async () => {
    const byUser = await search(reviewer, 'userId=alice');
    expect(byUser.body.data.map((s: { id: string }) => s.id).sort()).toEqual([ids.refund, ids.failed].sort());
    const failed = await search(reviewer, 'hasFailedTasks=true');
    expect(failed.body.data.map((s: { id: string; failedTasks: number }) => [s.id, s.failedTasks])).toEqual([
      [ids.failed, 1],
    ]);
    const notFailed = await search(reviewer, 'hasFailedTasks=false&agentId=echo');
    expect(notFailed.body.data).toHaveLength(2);
    const future = new Date(Date.now() + 3600_000).toISOString();
    expect((await search(reviewer, `createdFrom=${future}`)).body.data).toEqual([]);
    expect((await search(reviewer, `activeTo=${future}&status=active`)).body.data).toHaveLength(3);
    expect((await search(reviewer, 'createdFrom=yesterday')).status).toBe(400);
    expect((await search(reviewer, `createdFrom=${future}&createdTo=2020-01-01T00:00:00Z`)).status).toBe(400);
  });

  it('pages with a keyset cursor, newest first', async () => {
    const first = await search(reviewer, 'limit=2');
    expect(first.body.data.map((s: { id: string }) => s.id)).toEqual([ids.shipping, ids.failed]);
    const second = await search(reviewer, `limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.data.map((s: { id: string }) => s.id)).toEqual([ids.refund]);
    expect(second.body.nextCursor).toBeNull();
  });

  it('records every reviewer read in the access log, which only admins can see', async () => {
    await t.http().get(`/v1/sessions/${ids.refund}/events`).set(auth(reviewer));
    await t.http().get(`/v1/sessions/${ids.refund}`).set(auth(alice));
    expect((await t.http().get('/v1/admin/access-log').set(auth(reviewer))).status).toBe(403);
    const log = await t.http().get(`/v1/admin/access-log?sessionId=${ids.refund}`).set(auth(admin));
    expect(log.status).toBe(200);
    expect(log.body.data).toEqual([
      expect.objectContaining({
        actorId: 'rita',
        actorRole: 'reviewer',
        action: 'session.events',
        sessionId: ids.refund,
      }),
    ]);
    const searches = await t.http().get('/v1/admin/access-log?actorId=rita&limit=50').set(auth(admin));
    expect(
      searches.body.data.some(
        (r: { action: string; detail: { query?: { q?: string } } }) =>
          r.action === 'review.search' && r.detail.query?.q === 'shipping',
      ),
    ).toBe(true);
  });

  it('records session lists, task reads under their session, and exports and streams as they start', async () => {
    const actions = async () =>
      (
        (await t.http().get('/v1/admin/access-log?actorId=rita&limit=100').set(auth(admin))).body.data as {
          action: string;
          sessionId: string | null;
          taskId: string | null;
        }[]
      ).map(({ action, sessionId, taskId }) => ({ action, sessionId, taskId }));
    expect((await t.http().get('/v1/sessions').set(auth(reviewer))).status).toBe(200);
    const task = (await t.http().get(`/v1/sessions/${ids.refund}/tasks`).set(auth(reviewer))).body.data[0] as {
      id: string;
    };
    await t.http().get(`/v1/tasks/${task.id}`).set(auth(reviewer));
    expect(await actions()).toEqual(
      expect.arrayContaining([
        { action: 'session.list', sessionId: null, taskId: null },
        { action: 'task.read', sessionId: ids.refund, taskId: task.id },
      ]),
    );
    // A stream that has not ended, and an export whose client never reads, are already on record.
    const stream = new AbortController();
    void fetch(`${t.baseUrl}/v1/sessions/${ids.shipping}/stream`, {
      headers: auth(reviewer),
      signal: stream.signal,
    }).catch(() => undefined);
    const exported = new AbortController();
    void fetch(`${t.baseUrl}/v1/sessions/${ids.failed}/transcript?format=ndjson`, {
      headers: auth(reviewer),
      signal: exported.signal,
    }).catch(() => undefined);
    try {
      await eventually(actions, (rows) =>
        [ids.shipping, ids.failed].every((id) =>
          rows.some((row) => row.sessionId === id && row.action !== 'session.read'),
        ),
      );
    } finally {
      stream.abort();
      exported.abort();
    }
  });
});
