import { randomUUID } from 'node:crypto';
import type { Test as SupertestRequest } from 'supertest';
import { auth, createSession, say } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

describe('security', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '5' } });
  });
  afterAll(() => t.close());

  it('rate-limits per token with 429 and Retry-After, without affecting other tokens', async () => {
    const noisy = await t.token('noisy');
    const quiet = await t.token('quiet');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await t.http().get('/v1/sessions').set(auth(noisy))).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = await t.http().get('/v1/sessions').set(auth(noisy));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({ statusCode: 429, code: 'rate_limit/exceeded' });
    expect((await t.http().get('/v1/sessions').set(auth(quiet))).status).toBe(200);
  });

  it('sends security headers and no X-Powered-By', async () => {
    const res = await t.http().get('/health');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['strict-transport-security']).toContain('max-age=');
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
  });

  it("looks tokens up by their full hash only: a token sharing a real one's prefix is just invalid", async () => {
    const real = await t.token('prefix-owner');
    const lookalike = real.slice(0, -4) + (real.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const res = await t.http().get('/v1/sessions').set(auth(lookalike));
    expect(res.status).toBe(401);
    expect(res.body.message).toBe('invalid, expired or revoked token');
  });
});

/** Every endpoint × every role × own/other's resource, with the exact status expected. */
describe('authorization matrix', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  let own: { session: string; task: string };
  let other: { session: string; task: string };

  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '0' } });
    for (const [name, role] of [
      ['user', 'user'],
      ['reviewer', 'reviewer'],
      ['admin', 'admin'],
      ['owner', 'user'],
    ] as const) {
      tokens[name] = await t.token(name === 'owner' ? 'owner' : name, role);
    }
    const make = async (token: string) => {
      const session = (await createSession(t, token)).id;
      const task = (await say(t, token, session, '/sleep 60000 never finishes', false)).body.task.id as string;
      return { session, task };
    };
    own = await make(tokens.user);
    other = await make(tokens.owner);
  });
  afterAll(() => t.close());

  type Target = { session: string; task: string };
  const endpoints: [string, (x: Target) => [string, string, object?]][] = [
    ['list sessions', () => ['get', '/v1/sessions']],
    ['create session', () => ['post', '/v1/sessions', { agentId: 'echo' }]],
    ['get session', (x) => ['get', `/v1/sessions/${x.session}`]],
    ['patch session', (x) => ['patch', `/v1/sessions/${x.session}`, { metadata: { touched: true } }]],
    [
      'post event',
      (x) => ['post', `/v1/sessions/${x.session}/events`, { parts: [{ kind: 'text', text: '/sleep 60000 hold' }] }],
    ],
    ['list events', (x) => ['get', `/v1/sessions/${x.session}/events`]],
    ['list tasks', (x) => ['get', `/v1/sessions/${x.session}/tasks`]],
    ['get task', (x) => ['get', `/v1/tasks/${x.task}`]],
    ['children', (x) => ['get', `/v1/sessions/${x.session}/children`]],
    ['ancestors', (x) => ['get', `/v1/sessions/${x.session}/ancestors`]],
    ['transcript', (x) => ['get', `/v1/sessions/${x.session}/transcript?format=ndjson`]],
    ['verify', (x) => ['get', `/v1/sessions/${x.session}/verify`]],
    ['state', (x) => ['get', `/v1/sessions/${x.session}/state?at=1`]],
    ['review search', () => ['get', '/v1/review/sessions']],
    ['access log', () => ['get', '/v1/admin/access-log']],
    ['cancel task', (x) => ['post', `/v1/tasks/${x.task}/cancel`]],
    ['close session', (x) => ['delete', `/v1/sessions/${x.session}`]],
  ];

  // [own as user, other's as user, reviewer (on other's), admin (on other's)]
  const expected: Record<string, [number, number, number, number]> = {
    'list sessions': [200, 200, 200, 200],
    'create session': [201, 201, 403, 201],
    'get session': [200, 404, 200, 200],
    'patch session': [200, 404, 403, 200],
    'post event': [202, 404, 403, 202],
    'list events': [200, 404, 200, 200],
    'list tasks': [200, 404, 200, 200],
    'get task': [200, 404, 200, 200],
    children: [200, 404, 200, 200],
    ancestors: [200, 404, 200, 200],
    transcript: [200, 404, 200, 200],
    verify: [200, 404, 200, 200],
    state: [200, 404, 200, 200],
    'review search': [403, 403, 200, 200],
    'access log': [403, 403, 403, 200],
    'cancel task': [200, 404, 403, 200],
    'close session': [204, 404, 403, 204],
  };

  it.each(endpoints)('%s', async (name, build) => {
    const call = async (token: string, target: Target) => {
      const [method, path, body] = build(target);
      const req = (t.http() as unknown as Record<string, (p: string) => SupertestRequest>)
        [method](path)
        .set(auth(token));
      return (await (body ? req.send(body) : req)).status;
    };
    const actual = [
      await call(tokens.user, own),
      await call(tokens.user, other),
      await call(tokens.reviewer, other),
      await call(tokens.admin, other),
    ];
    expect(actual).toEqual(expected[name]);
    expect(await call('ast_invalid', own)).toBe(401);
  });

  it('answers 404, not 403, for ids that do not exist at all', async () => {
    const ghost = { session: randomUUID(), task: randomUUID() };
    expect((await t.http().get(`/v1/sessions/${ghost.session}`).set(auth(tokens.admin))).status).toBe(404);
    expect((await t.http().get(`/v1/tasks/${ghost.task}`).set(auth(tokens.reviewer))).status).toBe(404);
  });
});
