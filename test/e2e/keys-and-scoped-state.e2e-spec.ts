import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auth, createSession, say, text } from '../helpers/factories.js';
import { FakeAgentServer, json } from '../helpers/fake-agent-server.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { sql } from '../helpers/test-database.js';

describe('sessions by key and scoped state', () => {
  const fake = new FakeAgentServer();
  let t: TestApp;
  let alice: string;
  let bob: string;
  let admin: string;

  const put = (token: string, key: string, body: object) =>
    t.http().put(`/v1/sessions/by-key/${key}`).set(auth(token)).send(body);
  let turns = 0;
  const recordTurn = (token: string, sessionId: string, statePatch: object) =>
    t
      .http()
      .post(`/v1/sessions/${sessionId}/turns`)
      .set(auth(token))
      .send({ turnId: `t${++turns}`, input: { parts: text('q') }, output: { parts: text('a') }, statePatch });
  const scoped = async (token: string, sessionId: string) =>
    (await t.http().get(`/v1/sessions/${sessionId}/state?scopes=all`).set(auth(token)).expect(200)).body.state;

  beforeAll(async () => {
    await fake.start();
    fake.route('/agent', (_req, res) => json(res, 200, { parts: text('ok'), statePatch: { 'user:seen': true } }));
    const dir = mkdtempSync(join(tmpdir(), 'agents-'));
    const file = join(dir, 'agents.json');
    const agents = [
      { id: 'echo', kind: 'echo' },
      { id: 'client', kind: 'echo' },
      { id: 'remote', kind: 'http', url: `${fake.url}/agent` },
    ];
    writeFileSync(file, JSON.stringify({ agents }));
    t = await startTestApp({ env: { AGENTS_FILE: file } });
    [alice, bob, admin] = await Promise.all([t.token('alice'), t.token('bob'), t.token('ada', 'admin')]);
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });

  it('PUT by-key creates once (201), then returns the session (200); another agent is a 409; keys are per user', async () => {
    const created = await put(alice, 'user-123-support-chat', { agentId: 'echo', name: 'support' }).expect(201);
    expect(created.body).toMatchObject({ key: 'user-123-support-chat', agentId: 'echo', name: 'support' });
    const again = await put(alice, 'user-123-support-chat', { agentId: 'echo' }).expect(200);
    expect(again.body.id).toBe(created.body.id);
    const conflict = await put(alice, 'user-123-support-chat', { agentId: 'client' }).expect(409);
    expect(conflict.body.code).toBe('session/key_conflict');
    const bobs = await put(bob, 'user-123-support-chat', { agentId: 'echo' }).expect(201);
    expect(bobs.body.id).not.toBe(created.body.id);
    expect((await t.http().get(`/v1/sessions/${created.body.id}`).set(auth(alice))).body.key).toBe(
      'user-123-support-chat',
    );
    expect((await createSession(t, alice)) as unknown as { key: unknown }).toMatchObject({ key: null });
    await put(alice, 'has space', { agentId: 'echo' }).expect(400);
    await put(alice, 'x'.repeat(201), { agentId: 'echo' }).expect(400);
    await put(alice, 'k', { agentId: 'nope' }).expect(400);
  });

  it('20 concurrent PUTs of a new key (by a new user) create exactly one session', async () => {
    const carol = await t.token('carol');
    const results = await Promise.all(
      Array.from({ length: 20 }, () => put(carol, 'race:key@1', { agentId: 'echo', state: { s: 1 } })),
    );
    const statuses = results.map((res) => res.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 200)).toHaveLength(19);
    expect(new Set(results.map((res) => res.body.id)).size).toBe(1);
    const rows = await sql<{ n: string }>(t.db.url, `SELECT count(*) AS n FROM sessions WHERE key = 'race:key@1'`);
    expect(Number(rows[0].n)).toBe(1);
    const events = await sql<{ n: string }>(t.db.url, 'SELECT count(*) AS n FROM events WHERE session_id = $1', [
      results[0].body.id,
    ]);
    expect(Number(events[0].n)).toBe(1);
  });

  it('user: keys are shared by one user’s sessions with the agent; temp: keys are never stored', async () => {
    const one = await createSession(t, alice, { agentId: 'client' });
    const two = await createSession(t, alice, { agentId: 'client' });
    const bobs = await createSession(t, bob, { agentId: 'client' });
    const res = await recordTurn(alice, one.id, { mode: 'a', 'user:lang': 'fr', 'temp:scratch': 'zzz-temp' }).expect(
      201,
    );
    const stateEvent = res.body.events.find((e: { type: string }) => e.type === 'state');
    expect(stateEvent.parts[0].data).toEqual({ patch: { mode: 'a', 'user:lang': 'fr' }, state: { mode: 'a' } });
    expect(await scoped(alice, one.id)).toEqual({ mode: 'a', 'user:lang': 'fr' });
    expect(await scoped(alice, two.id)).toEqual({ 'user:lang': 'fr' });
    expect(await scoped(bob, bobs.id)).toEqual({});
    await recordTurn(alice, two.id, { 'user:lang': null }).expect(201);
    expect(await scoped(alice, one.id)).toEqual({ mode: 'a' });
    // only temp: keys: nothing is stored, not even a state event
    const onlyTemp = await recordTurn(alice, two.id, { 'temp:x': 'zzz-temp' }).expect(201);
    expect(onlyTemp.body.events.map((e: { type: string }) => e.type)).toEqual(['message', 'message']);
    const leaks = await sql<{ n: string }>(
      t.db.url,
      `SELECT (SELECT count(*) FROM events WHERE parts::text LIKE '%zzz-temp%' OR metadata::text LIKE '%temp:%')
            + (SELECT count(*) FROM sessions WHERE state::text LIKE '%temp%')
            + (SELECT count(*) FROM user_states WHERE state::text LIKE '%temp%') AS n`,
    );
    expect(Number(leaks[0].n)).toBe(0);
    // the replay without scopes is unchanged
    const replay = await t.http().get(`/v1/sessions/${one.id}/state?at=100`).set(auth(alice));
    expect(replay.status).toBe(400);
    await t.http().get(`/v1/sessions/${one.id}/state`).set(auth(alice)).expect(400);
    await t.http().get(`/v1/sessions/${one.id}/state?scopes=all&at=1`).set(auth(alice)).expect(400);
    await t.http().get(`/v1/sessions/${one.id}/state?scopes=all`).set(auth(bob)).expect(404);
  });

  it('app: keys are shared across users, refused from user tokens (403), written by admins and hosted agents', async () => {
    const alices = await createSession(t, alice, { agentId: 'client' });
    const bobs = await createSession(t, bob, { agentId: 'client' });
    const before = (await t.http().get(`/v1/sessions/${alices.id}`).set(auth(alice))).body.eventCount;
    const refused = await recordTurn(alice, alices.id, { 'app:motd': 'hi', mode: 'x' }).expect(403);
    expect(refused.body.code).toBe('state/app_scope_forbidden');
    expect((await t.http().get(`/v1/sessions/${alices.id}`).set(auth(alice))).body.eventCount).toBe(before);
    await recordTurn(admin, alices.id, { 'app:motd': 'hi' }).expect(201);
    expect(await scoped(bob, bobs.id)).toEqual({ 'app:motd': 'hi' });
    const rows = await sql<{ state: unknown }>(t.db.url, `SELECT state FROM app_states WHERE agent_id = 'client'`);
    expect(rows).toEqual([{ state: { motd: 'hi' } }]);

    const hosted = await createSession(t, bob, { agentId: 'echo' });
    expect((await say(t, bob, hosted.id, '/set app:banner=on')).status).toBe(201);
    expect((await say(t, bob, hosted.id, '/set user:color=blue')).status).toBe(201);
    const other = await createSession(t, bob, { agentId: 'echo' });
    expect(await scoped(bob, other.id)).toEqual({ 'app:banner': 'on', 'user:color': 'blue' });
    expect(await scoped(alice, (await createSession(t, alice, { agentId: 'echo' })).id)).toEqual({
      'app:banner': 'on',
    });
  });

  it('hosted agents are shown the scoped keys and patch them with their answer', async () => {
    const first = await createSession(t, alice, { agentId: 'remote', state: { s: 1 } });
    expect((await say(t, alice, first.id, 'hello')).status).toBe(201);
    const second = await createSession(t, alice, { agentId: 'remote' });
    expect((await say(t, alice, second.id, 'again')).status).toBe(201);
    const states = fake.requests.filter((r) => r.path === '/agent').map((r) => r.body.session.state);
    expect(states).toEqual([{ s: 1 }, { 'user:seen': true }]);
  });
});
