import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { auth, createSession, say, text } from '../helpers/factories.js';
import { externalAgentsFile } from '../helpers/pull-agents.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { sql } from '../helpers/test-database.js';

describe('agent tokens', () => {
  let t: TestApp;
  let alice: string;
  let bob: string;
  let support: string;
  let otherWorker: string;
  let supportSession: string;
  let supportTask: string;

  const agentsFile = externalAgentsFile('support', 'other');

  beforeAll(async () => {
    t = await startTestApp({ env: { AGENTS_FILE: agentsFile } });
    [alice, bob, support, otherWorker] = await Promise.all([
      t.token('alice'),
      t.token('bob'),
      t.agentToken(['support']),
      t.agentToken(['other', 'echo']),
    ]);
    supportSession = (await createSession(t, bob, { agentId: 'support' })).id;
    supportTask = (await say(t, bob, supportSession, 'hello', false)).body.task.id;
  });
  afterAll(() => t.close());

  const claimAs = (token: string, agentId: string) =>
    t.http().post(`/v1/agents/${agentId}/tasks/claim`).set(auth(token)).send({ waitMs: 0 });

  it('only agent tokens claim, and only for their external agents', async () => {
    for (const token of [alice, await t.token('ada', 'admin')]) {
      const res = await claimAs(token, 'support');
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('auth/forbidden');
    }
    expect((await claimAs(support, 'other')).body.code).toBe('agent/not_found');
    expect((await claimAs(support, 'nobody')).status).toBe(404);
    // bound to echo, but echo is hosted: never claimable over HTTP
    expect((await claimAs(otherWorker, 'echo')).status).toBe(404);
    const foreign = await t
      .http()
      .post(`/v1/tasks/${supportTask}/heartbeat`)
      .set(auth(otherWorker))
      .send({ leaseId: 'pull:guess' });
    expect(foreign.status).toBe(404);
    expect(
      (
        await t
          .http()
          .post(`/v1/tasks/${supportTask}/result`)
          .set(auth(alice))
          .send({ leaseId: 'x', parts: text('a') })
      ).status,
    ).toBe(403);
  });

  it("reads any user's sessions of its agents, and no others", async () => {
    const get = (token: string, path: string) => t.http().get(path).set(auth(token));
    expect((await get(support, `/v1/sessions/${supportSession}`)).body).toMatchObject({ userId: 'bob' });
    expect((await get(support, `/v1/sessions/${supportSession}/events`)).body.data).toHaveLength(1);
    expect((await get(support, `/v1/sessions/${supportSession}/tasks`)).body.data).toHaveLength(1);
    expect((await get(support, `/v1/tasks/${supportTask}`)).body.id).toBe(supportTask);

    const echoSession = (await createSession(t, alice)).id;
    const otherSession = (await createSession(t, alice, { agentId: 'other' })).id;
    for (const path of [`/v1/sessions/${otherSession}`, `/v1/sessions/${echoSession}/events`]) {
      const res = await get(support, path);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('session/not_found');
    }
    expect((await get(otherWorker, `/v1/tasks/${supportTask}`)).status).toBe(404);
    expect((await get(otherWorker, `/v1/sessions/${supportSession}/tasks`)).status).toBe(404);
  });

  it('cannot act as a user or use review, admin, stream, export or A2A endpoints', async () => {
    const forbidden = [
      t.http().post('/v1/sessions').send({ agentId: 'support' }),
      t
        .http()
        .post(`/v1/sessions/${supportSession}/events`)
        .send({ parts: text('as a user') }),
      t.http().post(`/v1/tasks/${supportTask}/cancel`),
      t
        .http()
        .patch(`/v1/sessions/${supportSession}`)
        .send({ state: { a: 1 } }),
      t.http().delete(`/v1/sessions/${supportSession}`),
      t.http().get('/v1/sessions'),
      t.http().get(`/v1/sessions/${supportSession}/stream`),
      t.http().get(`/v1/sessions/${supportSession}/transcript`),
      t.http().get('/v1/review/sessions'),
      t.http().get('/v1/admin/stats'),
      t
        .http()
        .post('/a2a/support/jsonrpc')
        .send({ jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id: supportTask } }),
    ];
    for (const req of forbidden) {
      const res = await req.set(auth(support));
      expect([req.url, res.status]).toEqual([req.url, 403]);
      // A2A answers in its own error format
      if (!req.url.includes('/a2a/')) expect(res.body.code).toBe('auth/forbidden');
    }
    const events = await sql<{ n: string }>(t.db.url, 'SELECT count(*) AS n FROM events WHERE session_id = $1', [
      supportSession,
    ]);
    expect(events[0].n).toBe('1');
  });

  it('npm run token creates agent tokens bound to agents, and refuses bindings that make no sense', async () => {
    const run = promisify(execFile);
    const env = { ...process.env, DATABASE_URL: t.db.url, LOG_LEVEL: 'silent', AGENTS_FILE: agentsFile };
    const cli = (...args: string[]) =>
      run('node', ['dist/cli/token.cli.js', 'create', ...args], { env }).catch(
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
    const created = await cli('--role', 'agent', '--agent', 'support', '--agent', 'echo');
    expect(created.stderr).toContain('"echo" is not an agent of kind external');
    const me = await t.http().get('/v1/me').set(auth(created.stdout.trim())).expect(200);
    expect(me.body).toMatchObject({ role: 'agent', userId: 'agent:support', agentIds: ['support', 'echo'] });
    for (const args of [
      ['--role', 'agent', '--user', 'x'],
      ['--user', 'x', '--agent', 'support'],
    ]) {
      const refused = await cli(...args);
      expect([args, (refused as { code?: number }).code, refused.stdout]).toEqual([args, 1, '']);
    }
  }, 60_000);

  it('says who it is on /v1/me', async () => {
    const me = await t.http().get('/v1/me').set(auth(otherWorker)).expect(200);
    expect(me.body).toMatchObject({ role: 'agent', userId: 'agent:other', agentIds: ['other', 'echo'] });
    expect((await t.http().get('/v1/me').set(auth(alice))).body.agentIds).toBeUndefined();
  });
});
