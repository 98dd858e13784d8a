import http from 'node:http';
import net from 'node:net';
import { auth, createSession } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { createTestDatabase } from '../helpers/test-database.js';

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** A request with exactly these bytes as its body (supertest would re-encode a Buffer as JSON). */
function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${baseUrl}${path}`, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : {} }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Bytes on a socket, for what an HTTP client library would refuse to send. */
function rawSocket(baseUrl: string, bytes: Buffer): Promise<{ head: string; body: Record<string, unknown> }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(bytes));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('end', () => {
      const [head, body] = text.split('\r\n\r\n');
      resolve({ head, body: JSON.parse(body) });
    });
  });
}

const SHAPE = {
  statusCode: expect.any(Number),
  error: expect.any(String),
  message: expect.any(String),
  code: expect.any(String),
  requestId: expect.any(String),
};

describe('every error has the one JSON shape and a specific code', () => {
  let t: TestApp;
  let token: string;
  let session: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '0', WORKER_ENABLED: 'false', BODY_LIMIT: '16kb' } });
    token = await t.token('alice');
    session = (await createSession(t, token)).id;
  });
  afterAll(() => t.close());

  const headers = () => ({ ...auth(token), 'Content-Type': 'application/json' });
  const expectInvalidText = (res: { status: number; body: Record<string, unknown> }) => {
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ ...SHAPE, statusCode: 400, code: 'request/invalid_text' });
  };

  it.each([
    ['a text part', `/v1/sessions/{s}/events`, '{"parts":[{"kind":"text","text":"half \\ud800 pair"}]}'],
    ['a data part key', `/v1/sessions/{s}/events`, '{"parts":[{"kind":"data","data":{"\\udc00":1}}]}'],
    ['metadata', `/v1/sessions/{s}/events`, '{"parts":[{"kind":"text","text":"x"}],"metadata":{"k":"\\udbff"}}'],
    ['a session name', '/v1/sessions', '{"agentId":"echo","name":"a\\ud800b"}'],
    ['session state', '/v1/sessions', '{"agentId":"echo","state":{"a":["\\ud800"]}}'],
  ])('a lone surrogate in %s is request/invalid_text', async (_where, path, body) => {
    expectInvalidText(await rawRequest(t.baseUrl, 'POST', path.replace('{s}', session), headers(), Buffer.from(body)));
  });

  it('invalid UTF-8 in a body is request/invalid_text, not silently replaced', async () => {
    const body = Buffer.concat([
      Buffer.from('{"agentId":"echo","name":"a'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('b"}'),
    ]);
    expectInvalidText(await rawRequest(t.baseUrl, 'POST', '/v1/sessions', headers(), body));
    const surrogate = Buffer.concat([
      Buffer.from('{"parts":[{"kind":"text","text":"'),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from('"}]}'),
    ]);
    expectInvalidText(await rawRequest(t.baseUrl, 'POST', `/v1/sessions/${session}/events`, headers(), surrogate));
    const names = await t.http().get('/v1/sessions').set(auth(token));
    expect(names.body.data.map((s: { name: string | null }) => s.name)).not.toContainEqual(
      expect.stringContaining('\ufffd'),
    );
  });

  it.each([
    '/v1/sessions?agentId=%ff',
    '/v1/sessions?agentId=%ED%A0%80',
    '/v1/sessions?cursor=a%C3',
    '/v1/review/sessions?q=%80abc',
    '/v1/sessions/%ff',
    '/v1/sessions/%ED%A0%80/events',
    '/v1/tasks/%C3%28',
  ])('invalid UTF-8 in %s is request/invalid_text', async (path) => {
    expectInvalidText(await t.http().get(path).set(auth(token)));
  });

  it('valid percent-encoded UTF-8 is still fine', async () => {
    expect(
      (
        await t
          .http()
          .get(`/v1/sessions?agentId=${encodeURIComponent('é🙂')}`)
          .set(auth(token))
      ).status,
    ).toBe(200);
  });

  it('malformed JSON is request/invalid_json with a request id', async () => {
    const res = await rawRequest(
      t.baseUrl,
      'POST',
      '/v1/sessions',
      { ...headers(), 'X-Request-Id': 'trace-1' },
      Buffer.from('{"agentId": '),
    );
    expect(res.status).toBe(400);
    const expected = {
      statusCode: 400,
      code: 'request/invalid_json',
      message: 'request body is not valid JSON',
      requestId: 'trace-1',
    };
    expect(res.body).toEqual({ ...SHAPE, ...expected });
  });

  it('a body over the limit is a 413 with the same shape', async () => {
    const res = await t
      .http()
      .post(`/v1/sessions/${session}/events`)
      .set(auth(token))
      .send({ parts: [{ kind: 'text', text: 'x'.repeat(20_000) }] });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ ...SHAPE, statusCode: 413, code: 'request/too_large' });
  });

  it("headers over Node's maxHeaderSize get a 431 with the JSON error body", async () => {
    const res = await rawRequest(t.baseUrl, 'GET', '/v1/sessions', { ...auth(token), 'X-Padding': 'a'.repeat(20_000) });
    expect(res.status).toBe(431);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body).toEqual({ ...SHAPE, statusCode: 431, code: 'request/headers_too_large' });
  });

  it("a request Node's parser refuses gets a JSON 400", async () => {
    const request = [
      Buffer.from('GET /v1/sessions?x='),
      Buffer.from([0xc3, 0xa9]),
      Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n'),
    ];
    const res = await rawSocket(t.baseUrl, Buffer.concat(request));
    expect(res.head).toMatch(/^HTTP\/1\.1 400 /);
    expect(res.body).toEqual({ ...SHAPE, statusCode: 400, code: 'request/malformed' });
  });
});

describe('/health when the database is gone', () => {
  it("reports a status, not the driver's message", async () => {
    const db = await createTestDatabase();
    const t = await startTestApp({ db, env: { WORKER_ENABLED: 'false' } });
    try {
      expect((await t.http().get('/health')).status).toBe(200);
      await db.drop();
      const res = await t.http().get('/health');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        status: 'error',
        info: {},
        error: { database: { status: 'down', message: 'unreachable' } },
        details: { database: { status: 'down', message: 'unreachable' } },
      });
    } finally {
      await t.close();
    }
  });
});
