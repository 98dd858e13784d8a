import { randomUUID } from 'node:crypto';
import { auth, createSession, eventually, say, text } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { TokensService } from '../../src/identity/tokens/tokens.service.js';

describe('authentication and scoping', () => {
  let t: TestApp;
  let alice: string;
  let bob: string;
  let reviewer: string;
  let admin: string;
  let aliceSession: string;
  let aliceTask: string;

  beforeAll(async () => {
    t = await startTestApp();
    [alice, bob, reviewer, admin] = await Promise.all([
      t.token('alice'),
      t.token('bob'),
      t.token('rita', 'reviewer'),
      t.token('ada', 'admin'),
    ]);
    aliceSession = (await createSession(t, alice)).id;
    aliceTask = (await say(t, alice, aliceSession, 'private')).body.task.id;
  });
  afterAll(() => t.close());

  it.each([
    ['no header', {}],
    ['an unknown token', auth('ast_not-a-real-token')],
    ['a malformed header', { Authorization: 'Basic abc' }],
  ])('refuses %s with 401 and WWW-Authenticate: Bearer', async (_name, headers) => {
    const res = await t.http().get('/v1/sessions').set(headers);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm=/);
    expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', code: 'auth/unauthorized' });
  });

  it('never takes a token from the query string or the body', async () => {
    const query = await t.http().get(`/v1/sessions?access_token=${alice}`);
    expect(query.status).toBe(401);
    const body = await t.http().post('/v1/sessions').send({ agentId: 'echo', access_token: alice });
    expect(body.status).toBe(401);
  });

  it('stops accepting a revoked or expired token at once', async () => {
    const token = await t.token('dave');
    expect((await t.http().get('/v1/sessions').set(auth(token))).status).toBe(200);
    const { TokensService } = await import('../../src/identity/tokens/tokens.service.js');
    await t.app.get(TokensService).revoke(token.slice(0, 12));
    expect((await t.http().get('/v1/sessions').set(auth(token))).status).toBe(401);
    const shortLived = await t.token('erin', 'user', 1);
    expect((await t.http().get('/v1/sessions').set(auth(shortLived))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await t.http().get('/v1/sessions').set(auth(shortLived))).status).toBe(401);
  });

  it('revokes a token cached by another instance as soon as the revocation commits', async () => {
    const other = await startTestApp({ db: t.db });
    try {
      const token = await t.token('frank');
      expect((await other.http().get('/v1/sessions').set(auth(token))).status).toBe(200);
      const { TokensService } = await import('../../src/identity/tokens/tokens.service.js');
      await t.app.get(TokensService).revoke(token.slice(0, 12));
      const status = await eventually(
        async () => (await other.http().get('/v1/sessions').set(auth(token))).status,
        (s) => s === 401,
        2_000,
      );
      expect(status).toBe(401);
    } finally {
      await other.app.close();
    }
  });

  it('records when a token was last used, without a write on every request', async () => {
    const token = await t.token('lena');
    const tokens = t.app.get(TokensService);
    expect((await tokens.list('lena'))[0].lastUsedAt).toBeNull();
    expect((await t.http().get('/v1/sessions').set(auth(token))).status).toBe(200);
    const first = await eventually(
      async () => (await tokens.list('lena'))[0].lastUsedAt,
      (at) => at !== null,
    );
    await t.http().get('/v1/sessions').set(auth(token));
    expect((await tokens.list('lena'))[0].lastUsedAt).toEqual(first);
  });

  it('serves /health without a token', async () => {
    const res = await t.http().get('/health');
    expect(res.status).toBe(200);
    expect(res.body.info.database.status).toBe('up');
  });

  it("hides every one of alice's resources from bob with 404", async () => {
    const requests = [
      t.http().get(`/v1/sessions/${aliceSession}`),
      t.http().patch(`/v1/sessions/${aliceSession}`).send({ name: 'mine now' }),
      t.http().delete(`/v1/sessions/${aliceSession}`),
      t
        .http()
        .post(`/v1/sessions/${aliceSession}/events`)
        .send({ parts: text('hi') }),
      t.http().get(`/v1/sessions/${aliceSession}/events`),
      t.http().get(`/v1/sessions/${aliceSession}/tasks`),
      t.http().get(`/v1/tasks/${aliceTask}`),
      t.http().post(`/v1/tasks/${aliceTask}/cancel`),
      t.http().post('/v1/sessions').send({ agentId: 'echo', parentId: aliceSession }),
    ];
    const statuses = await Promise.all(requests.map((r) => r.set(auth(bob)).then((res) => res.status)));
    expect(statuses).toEqual([404, 404, 404, 404, 404, 404, 404, 404, 400]);
    const list = await t.http().get('/v1/sessions').set(auth(bob));
    expect(list.body.data).toEqual([]);
    const still = await t.http().get(`/v1/sessions/${aliceSession}`).set(auth(alice));
    expect(still.body).toMatchObject({ status: 'active', name: null });
  });

  it('lets a reviewer read everything and write nothing', async () => {
    expect((await t.http().get(`/v1/sessions/${aliceSession}`).set(auth(reviewer))).status).toBe(200);
    expect((await t.http().get(`/v1/sessions/${aliceSession}/events`).set(auth(reviewer))).body.data).toHaveLength(2);
    expect((await t.http().get(`/v1/tasks/${aliceTask}`).set(auth(reviewer))).status).toBe(200);
    const all = await t.http().get('/v1/sessions').set(auth(reviewer));
    expect(all.body.data.map((s: { id: string }) => s.id)).toContain(aliceSession);
    const writes = await Promise.all(
      [
        t.http().post('/v1/sessions').send({ agentId: 'echo' }),
        t.http().patch(`/v1/sessions/${aliceSession}`).send({ name: 'x' }),
        t.http().delete(`/v1/sessions/${aliceSession}`),
        t
          .http()
          .post(`/v1/sessions/${aliceSession}/events`)
          .send({ parts: text('x') }),
        t.http().post(`/v1/tasks/${aliceTask}/cancel`),
      ].map((r) => r.set(auth(reviewer)).then((res) => res.status)),
    );
    expect(writes).toEqual([403, 403, 403, 403, 403]);
  });

  it("lets an admin read and write other users' sessions; a child session belongs to its parent's owner", async () => {
    const child = await t
      .http()
      .post('/v1/sessions')
      .set(auth(admin))
      .send({ agentId: 'echo', parentId: aliceSession });
    expect(child.status).toBe(201);
    expect(child.body).toMatchObject({ userId: 'alice', parentId: aliceSession });
    const res = await say(t, admin, child.body.id, 'admin here');
    expect(res.status).toBe(201);
    expect((await t.http().get(`/v1/sessions/${child.body.id}`).set(auth(alice))).status).toBe(200);
    expect((await t.http().get(`/v1/sessions/${randomUUID()}`).set(auth(admin))).status).toBe(404);
  });
});
