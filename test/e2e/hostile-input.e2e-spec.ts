import fc from 'fast-check';
import { auth, createSession } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/** Property: whatever a client sends, the answer is never a 5xx and every error is the JSON error shape. */
describe('hostile input (property-based)', () => {
  let t: TestApp;
  let token: string;
  let session: string;
  let task: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '0', WORKER_ENABLED: 'false', BODY_LIMIT: '256kb' } });
    token = await t.token('fuzzer', 'admin');
    session = (await createSession(t, token)).id;
    task = (
      await t
        .http()
        .post(`/v1/sessions/${session}/events`)
        .set(auth(token))
        .send({ parts: [{ kind: 'text', text: 'x' }] })
    ).body.task.id;
  });
  afterAll(() => t.close());

  const runs = { numRuns: 60 };

  function expectSane(res: {
    status: number;
    headers: Record<string, string>;
    body: { statusCode?: number; message?: unknown };
  }): void {
    expect(res.status).toBeLessThan(500);
    if (res.status >= 400) {
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(res.body.statusCode).toBe(res.status);
      expect(typeof res.body.message).toBe('string');
    }
  }

  const evil = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.constantFrom(
      "'; DROP TABLE events; --",
      '" OR 1=1 --',
      '%',
      '_',
      '\\',
      '\u0000',
      '$1',
      '::uuid',
      '../../etc/passwd',
      '{"a":1}',
      '🙂',
    ),
  );

  it('POST bodies of any JSON shape', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.jsonValue({ maxDepth: 6 }),
        fc.constantFrom('/v1/sessions', `/v1/sessions/{s}/events`, `/v1/sessions/{s}`),
        async (body, route) => {
          const path = route.replace('{s}', session);
          const req = route.endsWith('{s}') ? t.http().patch(path) : t.http().post(path);
          expectSane(await req.set(auth(token)).set('Content-Type', 'application/json').send(JSON.stringify(body)));
        },
      ),
      runs,
    );
  });

  it('event bodies that are almost right', async () => {
    const part = fc.record(
      {
        kind: fc.oneof(fc.constantFrom('text', 'data', 'file'), fc.string()),
        text: fc.option(fc.oneof(fc.string(), fc.integer())),
        data: fc.option(fc.jsonValue({ maxDepth: 4 })),
      },
      { requiredKeys: ['kind'] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            parts: fc.array(part, { maxLength: 70 }),
            metadata: fc.option(fc.jsonValue({ maxDepth: 3 })),
            id: fc.option(evil),
            role: fc.option(evil),
          },
          { requiredKeys: ['parts'] },
        ),
        async (body) => {
          expectSane(await t.http().post(`/v1/sessions/${session}/events`).set(auth(token)).send(body));
        },
      ),
      runs,
    );
  });

  it('any path id and any query string on every read endpoint', async () => {
    const keys = fc.constantFrom(
      'limit',
      'cursor',
      'after',
      'agentId',
      'status',
      'q',
      'userId',
      'hasFailedTasks',
      'createdFrom',
      'activeTo',
      'format',
      'at',
      'wait',
      'access_token',
    );
    const query = fc
      .array(fc.tuple(keys, evil), { maxLength: 5 })
      .map((pairs) => pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&'));
    const routes = [
      '/v1/sessions',
      '/v1/sessions/{id}',
      '/v1/sessions/{id}/events',
      '/v1/sessions/{id}/tasks',
      '/v1/tasks/{task}',
      '/v1/review/sessions',
      '/v1/sessions/{id}/transcript',
      '/v1/sessions/{id}/state',
      '/v1/sessions/{id}/verify',
      '/v1/sessions/{id}/children',
      '/v1/admin/access-log',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.oneof(fc.constant(session), evil),
        query,
        async (route, id, q) => {
          const path = route
            .replace('{id}', encodeURIComponent(id))
            .replace('{task}', id === session ? task : encodeURIComponent(id));
          const res = await t.http().get(`${path}?${q}`).set(auth(token)).buffer(true);
          expectSane(res);
        },
      ),
      { numRuns: 120 },
    );
  });

  it('raw bytes, invalid UTF-8 and wrong content types', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2000 }),
        fc.constantFrom(
          'application/json',
          'application/json; charset=latin1',
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/octet-stream',
        ),
        async (bytes, type) => {
          expectSane(
            await t
              .http()
              .post(`/v1/sessions/${session}/events`)
              .set(auth(token))
              .set('Content-Type', type)
              .send(Buffer.from(bytes)),
          );
        },
      ),
      runs,
    );
    const invalidUtf8 = Buffer.from([0x7b, 0x22, 0x70, 0x61, 0x72, 0x74, 0x73, 0x22, 0x3a, 0xff, 0xfe, 0x7d]);
    expectSane(
      await t.http().post('/v1/sessions').set(auth(token)).set('Content-Type', 'application/json').send(invalidUtf8),
    );
  });

  it('NUL characters anywhere (PostgreSQL cannot store them) are a 400, not a database error', async () => {
    for (const res of [
      await t.http().get('/v1/sessions?agentId=%00').set(auth(token)),
      await t.http().get('/v1/review/sessions?q=a%00b').set(auth(token)),
      await t
        .http()
        .post(`/v1/sessions/${session}/events`)
        .set(auth(token))
        .send({ parts: [{ kind: 'text', text: 'a\u0000b' }] }),
      await t
        .http()
        .post('/v1/sessions')
        .set(auth(token))
        .send({ agentId: 'echo', metadata: { 'k\u0000': 1 } }),
    ]) {
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('request/nul_character');
    }
    const loneSurrogate = '{"parts":[{"kind":"text","text":"half \\ud800 a pair"}]}';
    const res = await t
      .http()
      .post(`/v1/sessions/${session}/events`)
      .set(auth(token))
      .set('Content-Type', 'application/json')
      .send(loneSurrogate);
    expect(res.status).toBeLessThan(500);
  });

  it('deeply nested and huge JSON', async () => {
    const deep = '['.repeat(50_000) + ']'.repeat(50_000);
    expectSane(await t.http().post('/v1/sessions').set(auth(token)).set('Content-Type', 'application/json').send(deep));
    const wide = JSON.stringify({
      agentId: 'echo',
      metadata: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])),
    });
    expectSane(await t.http().post('/v1/sessions').set(auth(token)).set('Content-Type', 'application/json').send(wide));
    const huge = JSON.stringify({ parts: [{ kind: 'text', text: 'x'.repeat(300 * 1024) }] });
    const res = await t
      .http()
      .post(`/v1/sessions/${session}/events`)
      .set(auth(token))
      .set('Content-Type', 'application/json')
      .send(huge);
    expect(res.status).toBe(413);
  });
});
