import { randomUUID } from 'node:crypto';
import { auth, createSession } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

describe('bad input gets a clear 4xx JSON error', () => {
  let t: TestApp;
  let token: string;
  let session: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { BODY_LIMIT: '64kb' } });
    token = await t.token('alice');
    session = (await createSession(t, token)).id;
  });
  afterAll(() => t.close());

  const expectError = (
    res: { status: number; body: Record<string, unknown>; headers: Record<string, string> },
    status: number,
    code?: string,
  ) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body).toMatchObject({ statusCode: status, error: expect.any(String), message: expect.any(String) });
    if (code) expect(res.body.code).toBe(code);
  };

  it('rejects malformed JSON', async () => {
    const res = await t
      .http()
      .post('/v1/sessions')
      .set(auth(token))
      .set('Content-Type', 'application/json')
      .send('{"agentId": ');
    expectError(res, 400);
  });

  it('rejects unknown fields and wrong types, listing every problem', async () => {
    const res = await t
      .http()
      .post('/v1/sessions')
      .set(auth(token))
      .send({ agentId: 42, colour: 'red', ttlSeconds: -1 });
    expectError(res, 400, 'request/validation_failed');
    const details = (res.body.details as string[]).join('\n');
    expect(details).toContain('unknown field "colour"');
    expect(details).toContain('agentId');
    expect(details).toContain('ttlSeconds');
  });

  it('rejects an unknown agent with 400', async () => {
    expectError(await t.http().post('/v1/sessions').set(auth(token)).send({ agentId: 'nobody' }), 400, 'agent/unknown');
  });

  it.each([
    ['empty parts', { parts: [] }],
    ['a part of unknown kind', { parts: [{ kind: 'video', url: 'x' }] }],
    ['text that is not a string', { parts: [{ kind: 'text', text: 5 }] }],
    ['an agent role', { role: 'agent', parts: [{ kind: 'text', text: 'hi' }] }],
    ['metadata that is an array', { parts: [{ kind: 'text', text: 'hi' }], metadata: [1] }],
    ['a non-uuid id', { id: 'abc', parts: [{ kind: 'text', text: 'hi' }] }],
  ])('rejects an event with %s', async (_name, body) => {
    expectError(
      await t.http().post(`/v1/sessions/${session}/events`).set(auth(token)).send(body),
      400,
      'request/validation_failed',
    );
  });

  it('rejects JSON nested deeper than the limit instead of failing in the database', async () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 500; i++) deep = { d: deep };
    const res = await t
      .http()
      .post(`/v1/sessions/${session}/events`)
      .set(auth(token))
      .send({ parts: [{ kind: 'data', data: deep }] });
    expectError(res, 400);
  });

  it('rejects bad ids, bad cursors and out-of-range paging with 400', async () => {
    expectError(await t.http().get('/v1/sessions/not-a-uuid').set(auth(token)), 400, 'request/invalid_id');
    expectError(await t.http().get('/v1/tasks/123').set(auth(token)), 400, 'request/invalid_id');
    expectError(await t.http().get('/v1/sessions?cursor=garbage').set(auth(token)), 400, 'pagination/invalid_cursor');
    expectError(await t.http().get('/v1/sessions?limit=0').set(auth(token)), 400);
    expectError(await t.http().get('/v1/sessions?limit=abc').set(auth(token)), 400);
    expectError(await t.http().get('/v1/sessions?status=sleeping').set(auth(token)), 400);
    expectError(await t.http().get(`/v1/sessions/${session}/events?after=-1`).set(auth(token)), 400);
    expectError(await t.http().get(`/v1/sessions/${session}/events?after[x]=1`).set(auth(token)), 400);
  });

  it('answers 404 for an unknown session or route', async () => {
    expectError(await t.http().get(`/v1/sessions/${randomUUID()}`).set(auth(token)), 404, 'session/not_found');
    expectError(await t.http().get('/v1/nothing-here').set(auth(token)), 404);
  });

  it('answers 413 for a body over the configured limit', async () => {
    const big = 'x'.repeat(70 * 1024);
    const res = await t
      .http()
      .post(`/v1/sessions/${session}/events`)
      .set(auth(token))
      .send({ parts: [{ kind: 'text', text: big }] });
    expectError(res, 413, 'request/too_large');
  });

  it('treats SQL metacharacters as plain data', async () => {
    const evil = "'; DROP TABLE events; --";
    const res = await t
      .http()
      .get(`/v1/sessions?agentId=${encodeURIComponent("a'b")}`)
      .set(auth(token));
    expect(res.status).toBe(200);
    const posted = await t
      .http()
      .post(`/v1/sessions/${session}/events?wait=true`)
      .set(auth(token))
      .send({ parts: [{ kind: 'text', text: evil }] });
    expect(posted.status).toBe(201);
    expect(posted.body.event.parts[0].text).toBe(evil);
  });

  it('serves the OpenAPI document at /docs', async () => {
    const res = await t.http().get('/docs/openapi.json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/v1/sessions', '/v1/sessions/{id}/events', '/v1/tasks/{id}']),
    );
    expect((await t.http().get('/docs')).status).toBe(200);
  });
});
