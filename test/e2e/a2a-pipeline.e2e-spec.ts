import { randomUUID } from 'node:crypto';
import { auth } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const V1 = { 'A2A-Version': '1.0' };
const JSON_TYPE = { 'Content-Type': 'application/json' };

function rpcCall(t: TestApp, token: string | undefined, body: unknown, headers: Record<string, string> = V1) {
  return fetch(`${t.baseUrl}/a2a/echo/jsonrpc`, {
    method: 'POST',
    headers: { ...JSON_TYPE, ...headers, ...(token ? auth(token) : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const rpc = (
  t: TestApp,
  token: string | undefined,
  method: string,
  params: unknown,
  headers?: Record<string, string>,
) => rpcCall(t, token, { jsonrpc: '2.0', id: 7, method, params }, headers);

const message = (text: string, extra: Record<string, unknown> = {}) => ({
  role: 'ROLE_USER',
  messageId: randomUUID(),
  parts: [{ text }],
  ...extra,
});

async function send(t: TestApp, token: string, text: string): Promise<Json> {
  const body: Json = await (await rpc(t, token, 'SendMessage', { message: message(text) })).json();
  if (!body.result?.task) throw new Error(`send failed: ${JSON.stringify(body)}`);
  return body.result.task;
}

describe('A2A in the request pipeline: one rate limit, guards and access log', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '4' } });
  });
  afterAll(() => t.close());

  it("counts one token's REST and A2A requests against one budget", async () => {
    const token = await t.token('mixed');
    const statuses = [
      (await t.http().get('/v1/sessions').set(auth(token))).status,
      (await rpc(t, token, 'ListTasks', {})).status,
      (await t.http().get('/v1/sessions').set(auth(token))).status,
      (await fetch(`${t.baseUrl}/a2a/echo/rest/tasks`, { headers: { ...V1, ...auth(token) } })).status,
    ];
    expect(statuses).toEqual([200, 200, 200, 200]);
    expect((await t.http().get('/v1/sessions').set(auth(token))).status).toBe(429);
    const limited = await rpc(t, token, 'ListTasks', {});
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as Json).error).toMatchObject({ code: 429, data: { code: 'rate_limit/exceeded' } });
  });

  it('never rate-limits /health', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 10 }, async () => (await fetch(`${t.baseUrl}/health`)).status),
    );
    expect(statuses.every((status) => status === 200)).toBe(true);
  });

  it('refuses a token in the query string or body, whatever the headers', async () => {
    const token = await t.token('leaky');
    const query = await fetch(`${t.baseUrl}/a2a/echo/jsonrpc?access_token=${token}`, {
      method: 'POST',
      headers: { ...JSON_TYPE, ...V1, ...auth(token) },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ListTasks', params: {} }),
    });
    expect(query.status).toBe(401);
    const inBody = await fetch(`${t.baseUrl}/a2a/echo/rest/message:send`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/a2a+json', ...V1 },
      body: JSON.stringify({ access_token: token, message: message('x') }),
    });
    expect(inBody.status).toBe(401);
    expect(await inBody.json()).toMatchObject({
      code: 'auth/unauthorized',
      message: 'tokens are accepted only in the Authorization header',
    });
  });

  it('throttles requests without a valid token per client address, before looking tokens up', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await rpc(t, `ast_bogus${i}`, 'ListTasks', {})).status);
    // The budget of 4 failures a minute is shared with the earlier tests' refused requests from this address.
    expect(statuses[0]).toBe(401);
    expect(statuses.slice(statuses.indexOf(429))).toEqual(statuses.slice(statuses.indexOf(429)).map(() => 429));
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(4);
    const limited = await t.http().get('/v1/sessions').set(auth('ast_another_bogus'));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({ code: 'rate_limit/exceeded' });
  });
});

describe('A2A: reviewers, access log and conformance', () => {
  let t: TestApp;
  let alice: string;
  let rita: string;
  let ada: string;

  beforeAll(async () => {
    t = await startTestApp();
    [alice, rita, ada] = await Promise.all([t.token('alice'), t.token('rita', 'reviewer'), t.token('ada', 'admin')]);
  });
  afterAll(() => t.close());

  const accessLog = async (actorId: string) =>
    (await t.http().get(`/v1/admin/access-log?actorId=${actorId}`).set(auth(ada))).body.data;
  const sessionsOf = async (token: string) =>
    (await t.http().get('/v1/sessions?limit=100').set(auth(token))).body.data as Json[];

  it('records each reviewer A2A read when it starts, with the session and task it read', async () => {
    const task = await send(t, alice, 'reviewed');
    expect((await rpc(t, rita, 'GetTask', { id: task.id })).status).toBe(200);
    expect((await rpc(t, rita, 'ListTasks', { contextId: task.contextId })).status).toBe(200);
    expect(
      (await fetch(`${t.baseUrl}/a2a/echo/rest/tasks/${task.id}`, { headers: { ...V1, ...auth(rita) } })).status,
    ).toBe(200);
    const running = await send(t, alice, '/ask anything?');
    const stream = await rpc(t, rita, 'SubscribeToTask', { id: running.id });
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    await stream.text();
    const log: Json[] = await accessLog('rita');
    const reads = log.map((entry) => ({
      operation: entry.detail.operation,
      sessionId: entry.sessionId,
      taskId: entry.taskId,
      action: entry.action,
    }));
    expect(reads).toEqual(
      expect.arrayContaining([
        { operation: 'GetTask', sessionId: task.contextId, taskId: task.id, action: 'a2a.read' },
        { operation: 'ListTasks', sessionId: task.contextId, taskId: null, action: 'a2a.read' },
        { operation: 'GetTask', sessionId: task.contextId, taskId: task.id, action: 'a2a.read' },
        { operation: 'SubscribeToTask', sessionId: running.contextId, taskId: running.id, action: 'a2a.read' },
      ]),
    );
    expect(log).toHaveLength(4);
    expect(log.find((entry: Json) => entry.detail.method === 'GET')).toMatchObject({
      detail: { path: `/a2a/echo/rest/tasks/${task.id}` },
    });
    expect(await accessLog('alice')).toEqual([]);
  });

  it("records a reviewer's subscribe to a running task", async () => {
    const params = { message: message('/sleep 300 later'), configuration: { returnImmediately: true } };
    const running: Json = await (await rpc(t, alice, 'SendMessage', params)).json();
    const id = running.result.task.id;
    const stream = await rpc(t, rita, 'SubscribeToTask', { id });
    expect(stream.status).toBe(200);
    await stream.text();
    const log: Json[] = await accessLog('rita');
    expect(log[0]).toMatchObject({
      taskId: id,
      sessionId: running.result.task.contextId,
      detail: { operation: 'SubscribeToTask' },
    });
  });

  it('refuses every reviewer write over A2A with 403, and stores nothing', async () => {
    const before = (await sessionsOf(ada)).length;
    const task = await send(t, alice, 'mine');
    const writes = [
      () => rpc(t, rita, 'SendMessage', { message: message('nope') }),
      () => rpc(t, rita, 'SendStreamingMessage', { message: message('nope') }),
      () => rpc(t, rita, 'CancelTask', { id: task.id }),
      () => rpc(t, rita, 'CreateTaskPushNotificationConfig', { taskId: task.id, url: 'https://example.com/hook' }),
      () =>
        rpc(
          t,
          rita,
          'message/send',
          { message: { kind: 'message', messageId: 'r1', role: 'user', parts: [{ kind: 'text', text: 'x' }] } },
          {},
        ),
      () => rpc(t, rita, 'tasks/cancel', { id: task.id }, {}),
    ];
    for (const write of writes) {
      const res = await write();
      expect(res.status).toBe(403);
      expect(((await res.json()) as Json).error).toMatchObject({ code: 403, data: { code: 'auth/forbidden' } });
    }
    const rest = await fetch(`${t.baseUrl}/a2a/echo/rest/message:send`, {
      method: 'POST',
      headers: { ...JSON_TYPE, ...V1, ...auth(rita) },
      body: JSON.stringify({ message: message('nope') }),
    });
    expect(rest.status).toBe(403);
    expect(await rest.json()).toMatchObject({ code: 'auth/forbidden' });
    expect((await sessionsOf(ada)).length).toBe(before + 1);
  });

  it('answers malformed JSON with -32700 and invalid requests with -32600, in JSON-RPC envelopes', async () => {
    const parse = await rpcCall(t, alice, '{"jsonrpc": "2.0", "method": "GetTask"');
    expect(parse.status).toBe(200);
    expect(await parse.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
    const invalid = [
      { id: 1, method: 'GetTask', params: {} },
      { jsonrpc: '1.0', id: 1, method: 'GetTask', params: {} },
      { jsonrpc: '2.0', id: 1, params: {} },
      [],
      { jsonrpc: '2.0', id: { bad: 1 }, method: 'GetTask', params: {} },
    ];
    for (const body of invalid) {
      const res = await rpcCall(t, alice, body);
      expect(res.status).toBe(200);
      expect(((await res.json()) as Json).error.code).toBe(-32600);
    }
  });

  it('answers auth failures and unknown agents on JSON-RPC with envelopes, keeping the HTTP status', async () => {
    const unauthenticated = await rpc(t, undefined, 'GetTask', { id: randomUUID() });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await unauthenticated.json()).toMatchObject({
      jsonrpc: '2.0',
      id: 7,
      error: { code: 401, data: { code: 'auth/unauthorized' } },
    });
    const unknown = await fetch(`${t.baseUrl}/a2a/nope/jsonrpc`, {
      method: 'POST',
      headers: { ...JSON_TYPE, ...V1, ...auth(alice) },
      body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'GetTask', params: {} }),
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({
      jsonrpc: '2.0',
      id: 3,
      error: { code: -32601, data: { code: 'agent/not_found' } },
    });
    const rest = await fetch(`${t.baseUrl}/a2a/nope/rest/tasks`, { headers: { ...V1, ...auth(alice) } });
    expect(rest.status).toBe(404);
    expect(await rest.json()).toMatchObject({ statusCode: 404, code: 'agent/not_found' });
  });

  it('answers invalid params with -32602', async () => {
    const task = await send(t, alice, 'params');
    const calls: [string, unknown][] = [
      ['GetTask', { id: task.id, historyLength: -1 }],
      ['ListTasks', { historyLength: -2 }],
      ['ListTasks', { statusTimestampAfter: '-1' }],
      ['ListTasks', { statusTimestampAfter: '-271821-04-20T00:00:00Z' }],
      ['ListTasks', { pageToken: 'not-a-token' }],
      ['ListTasks', { pageToken: Buffer.from(`-271821-04-20T00:00:00.000Z|${randomUUID()}`).toString('base64url') }],
      ['SendMessage', { message: { messageId: randomUUID(), parts: [{ text: 'no role' }] } }],
    ];
    for (const [method, params] of calls) {
      const body: Json = await (await rpc(t, alice, method, params)).json();
      expect({ method, params, code: body.error?.code }).toEqual({ method, params, code: -32602 });
      expect(JSON.stringify(body)).not.toMatch(/prisma|Raw query|invocation/i);
    }
  });

  it('answers a failed send with its A2A error, never -32603, and leaves no empty session', async () => {
    const first = message('once');
    const sent: Json = await (await rpc(t, alice, 'SendMessage', { message: first })).json();
    const contextId = sent.result.task.contextId as string;
    const before = await sessionsOf(alice);
    // messageIds are idempotency keys within their context: the same id with another body there is refused
    const reused: Json = await (
      await rpc(t, alice, 'SendMessage', { message: { ...first, contextId, parts: [{ text: 'again' }] } })
    ).json();
    expect(reused.error.code).toBe(-32602);
    const badText: Json = await (
      await rpcCall(
        t,
        alice,
        `{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":${JSON.stringify(message('x')).replace(
          '"x"',
          '"bad \\ud800 text"',
        )}}}`,
      )
    ).json();
    expect(badText.error.code).toBe(-32602);
    expect(JSON.stringify([reused, badText])).not.toMatch(/prisma|Raw query|invocation/i);
    expect((await sessionsOf(alice)).length).toBe(before.length);
  });

  it('answers 409 to canceling a finished task over HTTP+JSON, and -32007 for the extended card', async () => {
    const task = await send(t, alice, 'done');
    const cancel = await fetch(`${t.baseUrl}/a2a/echo/rest/tasks/${task.id}:cancel`, {
      method: 'POST',
      headers: { ...V1, ...auth(alice) },
    });
    expect(cancel.status).toBe(409);
    const card: Json = await (await rpc(t, alice, 'GetExtendedAgentCard', {})).json();
    expect(card.error.code).toBe(-32007);
  });

  it('reads a request without A2A-Version as A2A 0.3: a v1.0 method is "not found", naming the header to send', async () => {
    const body: Json = await (await rpc(t, alice, 'GetTask', { id: randomUUID() }, {})).json();
    expect(body.error).toMatchObject({ code: -32601, message: expect.stringContaining('A2A-Version: 1.0') });
    const card: Json = await (await fetch(`${t.baseUrl}/.well-known/agent-card.json`)).json();
    expect(card.description).toContain('"A2A-Version: 1.0"');
  });
});
