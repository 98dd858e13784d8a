import { randomUUID } from 'node:crypto';
import { auth, createSession, eventually, text } from '../helpers/factories.js';
import { OpenApiContract, type ObservedResponse } from '../helpers/openapi-contract.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A fetch response as the contract checks it: the body as JSON when it is JSON, else as text. */
async function observed(res: Response): Promise<ObservedResponse> {
  const json = res.headers.get('content-type')?.includes('json');
  const body: unknown = json ? await res.json() : await res.text();
  return { status: res.status, headers: Object.fromEntries(res.headers), body };
}

describe('the OpenAPI document matches real responses', () => {
  let t: TestApp;
  let contract: OpenApiContract;
  let alice: string;
  let reviewer: string;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { BODY_LIMIT: '16kb' } });
    [alice, reviewer, admin] = await Promise.all([
      t.token('alice'),
      t.token('rita', 'reviewer'),
      t.token('ada', 'admin'),
    ]);
    contract = new OpenApiContract((await t.http().get('/docs/openapi.json').expect(200)).body);
  });
  afterAll(() => t.close());

  it('rejects a response the document does not describe (the checker is not a no-op)', () => {
    const base = { headers: { 'content-type': 'application/json' } };
    expect(() => contract.check('GET', '/v1/tasks/{id}', { ...base, status: 418, body: {} })).toThrow(/not documented/);
    expect(() => contract.check('GET', '/v1/sessions/{id}', { ...base, status: 200, body: { id: 'x' } })).toThrow(
      /does not match/,
    );
    const error = { statusCode: 404, error: 'Not Found', message: 'm', code: 'c', requestId: 'r', extra: 1 };
    expect(() => contract.check('GET', '/v1/sessions/{id}', { ...base, status: 404, body: error })).toThrow(
      /additional properties/,
    );
  });

  it('sessions: create, get, list, update', async () => {
    const created = await t.http().post('/v1/sessions').set(auth(alice)).send({ agentId: 'echo', name: 'contract' });
    contract.check('POST', '/v1/sessions', created);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    contract.check('GET', '/v1/sessions/{id}', await t.http().get(`/v1/sessions/${id}`).set(auth(alice)).expect(200));
    contract.check('GET', '/v1/sessions', await t.http().get('/v1/sessions?limit=5').set(auth(alice)).expect(200));
    const patched = await t
      .http()
      .patch(`/v1/sessions/${id}`)
      .set(auth(alice))
      .send({ name: null, state: { a: 1 } });
    contract.check('PATCH', '/v1/sessions/{id}', patched);
    expect(patched.body.name).toBeNull();
  });

  it('events and tasks: 202, ?wait=true 201, a retry 200, history, one task, a session’s tasks', async () => {
    const { id } = await createSession(t, alice);
    const queued = await t
      .http()
      .post(`/v1/sessions/${id}/events`)
      .set(auth(alice))
      .send({ parts: text('hi') });
    expect(queued.status).toBe(202);
    contract.check('POST', '/v1/sessions/{id}/events', queued);
    const waited = await t
      .http()
      .post(`/v1/sessions/${id}/events?wait=true`)
      .set(auth(alice))
      .send({ parts: text('x') });
    expect(waited.status).toBe(201);
    contract.check('POST', '/v1/sessions/{id}/events', waited);
    const retry = await t
      .http()
      .post(`/v1/sessions/${id}/events`)
      .set(auth(alice))
      .send({ id: waited.body.event.id, parts: text('x') });
    expect(retry.status).toBe(200);
    contract.check('POST', '/v1/sessions/{id}/events', retry);
    const history = await t.http().get(`/v1/sessions/${id}/events`).set(auth(alice)).expect(200);
    expect(history.body.data.some((e: Json) => e.usage === null)).toBe(true);
    contract.check('GET', '/v1/sessions/{id}/events', history);
    const taskId = waited.body.task.id as string;
    contract.check('GET', '/v1/tasks/{id}', await t.http().get(`/v1/tasks/${taskId}`).set(auth(alice)).expect(200));
    contract.check('GET', '/v1/sessions/{id}/tasks', await t.http().get(`/v1/sessions/${id}/tasks`).set(auth(alice)));
  });

  it('recorded turns (201, a retry 200, 409) and the effective history with its edits', async () => {
    const { id } = await createSession(t, alice);
    const body = { turnId: 'c1', input: { parts: text('q') }, steps: [], output: { parts: text('a') } };
    const turns = `/v1/sessions/${id}/turns`;
    const created = await t.http().post(turns).set(auth(alice)).send(body).expect(201);
    contract.check('POST', '/v1/sessions/{id}/turns', created);
    contract.check(
      'POST',
      '/v1/sessions/{id}/turns',
      await t.http().post(turns).set(auth(alice)).send(body).expect(200),
    );
    const conflict = await t
      .http()
      .post(turns)
      .set(auth(alice))
      .send({ ...body, output: { parts: text('b') } })
      .expect(409);
    contract.check('POST', '/v1/sessions/{id}/turns', conflict);
    const history = await t.http().get(`/v1/sessions/${id}/history?limit=1`).set(auth(alice)).expect(200);
    contract.check('GET', '/v1/sessions/{id}/history', history);
    const edit = (kind: string, payload: object) =>
      t.http().post(`/v1/sessions/${id}/history/${kind}`).set(auth(alice)).send(payload);
    const summary = { throughSeq: 1, summary: { parts: text('s') } };
    contract.check('POST', '/v1/sessions/{id}/history/compaction', await edit('compaction', summary).expect(201));
    contract.check('POST', '/v1/sessions/{id}/history/revert', await edit('revert', { items: 1 }).expect(201));
    contract.check('POST', '/v1/sessions/{id}/history/reset', await edit('reset', {}).expect(201));
    contract.check('POST', '/v1/sessions/{id}/history/revert', await edit('revert', {}).expect(409));
  });

  it('sessions by key (201, 200, 409) and the state with its scopes', async () => {
    const put = (agentId: string) =>
      t.http().put('/v1/sessions/by-key/contract:key').set(auth(alice)).send({ agentId });
    const created = await put('echo').expect(201);
    contract.check('PUT', '/v1/sessions/by-key/{key}', created);
    contract.check('PUT', '/v1/sessions/by-key/{key}', await put('echo').expect(200));
    contract.check('PUT', '/v1/sessions/by-key/{key}', await put('other').expect(400));
    const id = created.body.id as string;
    const state = `/v1/sessions/${id}/state`;
    contract.check(
      'GET',
      '/v1/sessions/{id}/state',
      await t.http().get(`${state}?scopes=all`).set(auth(alice)).expect(200),
    );
    contract.check('GET', '/v1/sessions/{id}/state', await t.http().get(`${state}?at=0`).set(auth(alice)).expect(200));
  });

  it('a follow-up to a task waiting for input: 202, then 409 once it is not', async () => {
    const { id } = await createSession(t, alice);
    const asked = await t
      .http()
      .post(`/v1/sessions/${id}/events?wait=true`)
      .set(auth(alice))
      .send({ parts: text('/ask size?') });
    expect(asked.body.task.status).toBe('input_required');
    const taskId = asked.body.task.id as string;
    const answer = await t
      .http()
      .post(`/v1/tasks/${taskId}/events`)
      .set(auth(alice))
      .send({ parts: text('large') });
    expect(answer.status).toBe(202);
    contract.check('POST', '/v1/tasks/{id}/events', answer);
    await eventually(
      () => t.http().get(`/v1/tasks/${taskId}`).set(auth(alice)),
      (res) => res.body.status === 'completed',
    );
    const late = await t
      .http()
      .post(`/v1/tasks/${taskId}/events`)
      .set(auth(alice))
      .send({ parts: text('more') });
    expect(late.status).toBe(409);
    contract.check('POST', '/v1/tasks/{id}/events', late);
  });

  it('error bodies: 400, 401, 403, 404', async () => {
    const bad = await t.http().post('/v1/sessions').set(auth(alice)).send({ agentId: 'echo', ttlSeconds: 0 });
    expect(bad.status).toBe(400);
    contract.check('POST', '/v1/sessions', bad);
    const missing = await t.http().get('/v1/sessions/00000000-0000-4000-8000-000000000000').set(auth(alice));
    expect(missing.status).toBe(404);
    contract.check('GET', '/v1/sessions/{id}', missing);
    const noTask = await t.http().get('/v1/tasks/00000000-0000-4000-8000-000000000000').set(auth(alice));
    contract.check('GET', '/v1/tasks/{id}', noTask);
    const anonymous = await t.http().get('/v1/sessions');
    expect(anonymous.status).toBe(401);
    contract.check('GET', '/v1/sessions', anonymous);
    const forbidden = await t.http().get('/v1/admin/access-log').set(auth(alice));
    expect(forbidden.status).toBe(403);
    contract.check('GET', '/v1/admin/access-log', forbidden);
  });

  it('review search, access log, transcript (JSON), audit', async () => {
    const { id } = await createSession(t, alice);
    await t
      .http()
      .post(`/v1/sessions/${id}/events?wait=true`)
      .set(auth(alice))
      .send({ parts: text('kettle') });
    const found = await t.http().get('/v1/review/sessions?q=kettle').set(auth(reviewer)).expect(200);
    expect(found.body.data[0].match).not.toBeNull();
    contract.check('GET', '/v1/review/sessions', found);
    const all = await t.http().get('/v1/review/sessions').set(auth(reviewer)).expect(200);
    contract.check('GET', '/v1/review/sessions', all);
    const log = await t.http().get('/v1/admin/access-log').set(auth(admin)).expect(200);
    expect(log.body.data.length).toBeGreaterThan(0);
    contract.check('GET', '/v1/admin/access-log', log);
    contract.check('GET', '/v1/sessions/{id}/verify', await t.http().get(`/v1/sessions/${id}/verify`).set(auth(alice)));
    contract.check(
      'GET',
      '/v1/sessions/{id}/state',
      await t.http().get(`/v1/sessions/${id}/state?at=1`).set(auth(alice)),
    );
    const csv = await t.http().get(`/v1/sessions/${id}/transcript?format=csv`).set(auth(alice)).expect(200);
    contract.check('GET', '/v1/sessions/{id}/transcript', { ...csv, body: csv.text });
    const closed = await t.http().delete(`/v1/sessions/${id}`).set(auth(alice)).expect(204);
    contract.check('DELETE', '/v1/sessions/{id}', closed);
  });

  it('annotations: 201 on add, a page on list, 403 for a user, and the JSON transcript that carries them', async () => {
    const { id } = await createSession(t, alice, { metadata: { customer: 'C-77' } });
    const path = `/v1/sessions/${id}/annotations`;
    const added = await t
      .http()
      .post(path)
      .set(auth(reviewer))
      .send({ text: 'checked', labels: ['ok'] });
    expect(added.status).toBe(201);
    contract.check('POST', '/v1/sessions/{id}/annotations', added);
    contract.check(
      'POST',
      '/v1/sessions/{id}/annotations',
      await t.http().post(path).set(auth(alice)).send({ text: 'x' }),
    );
    contract.check('GET', '/v1/sessions/{id}/annotations', await t.http().get(path).set(auth(reviewer)).expect(200));
    const found = await t.http().get('/v1/review/sessions?q=C-77&label=ok').set(auth(reviewer)).expect(200);
    expect(found.body.data[0]).toMatchObject({ id, labels: ['ok'], matchedOn: ['metadata'], match: null });
    contract.check('GET', '/v1/review/sessions', found);
    const json = await t.http().get(`/v1/sessions/${id}/transcript?format=json`).set(auth(reviewer)).expect(200);
    contract.check('GET', '/v1/sessions/{id}/transcript', { ...json, body: JSON.parse(json.text) as unknown });
  });

  it('sessions: children, ancestors; tasks: cancel (409 once finished); a body over the limit: 413', async () => {
    const parent = await createSession(t, alice);
    const child = await createSession(t, alice, { parentId: parent.id });
    const children = await t.http().get(`/v1/sessions/${parent.id}/children`).set(auth(alice)).expect(200);
    contract.check('GET', '/v1/sessions/{id}/children', children);
    const ancestors = await t.http().get(`/v1/sessions/${child.id}/ancestors`).set(auth(alice)).expect(200);
    contract.check('GET', '/v1/sessions/{id}/ancestors', ancestors);
    const done = await t
      .http()
      .post(`/v1/sessions/${child.id}/events?wait=true`)
      .set(auth(alice))
      .send({ parts: text('a') });
    const cancel = await t.http().post(`/v1/tasks/${done.body.task.id}/cancel`).set(auth(alice));
    expect(cancel.status).toBe(409);
    contract.check('POST', '/v1/tasks/{id}/cancel', cancel);
    const big = await t
      .http()
      .post(`/v1/sessions/${child.id}/events`)
      .set(auth(alice))
      .send({ parts: text('x'.repeat(20_000)) });
    expect(big.status).toBe(413);
    contract.check('POST', '/v1/sessions/{id}/events', big);
  });

  it('webhooks: set (201, then 200), get, deliveries, delete (204), refused URL (400), none (404)', async () => {
    const { id } = await createSession(t, alice);
    const path = `/v1/sessions/${id}/webhook`;
    // a public address literal: no DNS needed, and nothing in this test waits for the deliveries to it
    const created = await t.http().put(path).set(auth(alice)).send({ url: 'http://93.184.215.14/hook' });
    expect(created.status).toBe(201);
    contract.check('PUT', '/v1/sessions/{id}/webhook', created);
    const changed = await t.http().put(path).set(auth(alice)).send({ url: 'http://93.184.215.14/other', token: 't' });
    expect(changed.status).toBe(200);
    contract.check('PUT', '/v1/sessions/{id}/webhook', changed);
    const refused = await t.http().put(path).set(auth(alice)).send({ url: 'http://127.0.0.1/hook' });
    expect(refused.status).toBe(400);
    contract.check('PUT', '/v1/sessions/{id}/webhook', refused);
    contract.check('GET', '/v1/sessions/{id}/webhook', await t.http().get(path).set(auth(alice)).expect(200));
    await t
      .http()
      .post(`/v1/sessions/${id}/events`)
      .set(auth(alice))
      .send({ parts: text('hooked') })
      .expect(202);
    const deliveries = await t.http().get(`${path}/deliveries?limit=2`).set(auth(alice)).expect(200);
    expect(deliveries.body.data.length).toBeGreaterThan(0);
    contract.check('GET', '/v1/sessions/{id}/webhook/deliveries', deliveries);
    const removed = await t.http().delete(path).set(auth(alice));
    expect(removed.status).toBe(204);
    contract.check('DELETE', '/v1/sessions/{id}/webhook', removed);
    const none = await t.http().get(path).set(auth(alice));
    expect(none.status).toBe(404);
    contract.check('GET', '/v1/sessions/{id}/webhook', none);
  });

  it('sessions with a webhook: create (201, with its secret), PATCH (200, without), removal, refused URL (400)', async () => {
    const created = await t
      .http()
      .post('/v1/sessions')
      .set(auth(alice))
      .send({ agentId: 'echo', webhook: { url: 'http://93.184.215.14/hook', token: 't' } });
    expect(created.status).toBe(201);
    expect(created.body.webhook.secret).toMatch(/^whsec_/);
    contract.check('POST', '/v1/sessions', created);
    const path = `/v1/sessions/${created.body.id}`;
    const changed = await t
      .http()
      .patch(path)
      .set(auth(alice))
      .send({ webhook: { url: 'http://93.184.215.14/other' } });
    expect(changed.status).toBe(200);
    expect(changed.body.webhook).toEqual({ url: 'http://93.184.215.14/other', hasToken: false });
    contract.check('PATCH', '/v1/sessions/{id}', changed);
    const removed = await t.http().patch(path).set(auth(alice)).send({ webhook: null });
    expect(removed.status).toBe(200);
    contract.check('PATCH', '/v1/sessions/{id}', removed);
    const refused = await t
      .http()
      .post('/v1/sessions')
      .set(auth(alice))
      .send({ agentId: 'echo', webhook: { url: 'http://127.0.0.1/hook' } });
    expect(refused.status).toBe(400);
    contract.check('POST', '/v1/sessions', refused);
  });

  it('a streamed turn answers 202 with text/event-stream', async () => {
    const { id } = await createSession(t, alice);
    const res = await fetch(`${t.baseUrl}/v1/sessions/${id}/events`, {
      method: 'POST',
      headers: { ...auth(alice), 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: JSON.stringify({ parts: text('stream me') }),
    });
    expect(res.status).toBe(202);
    contract.check('POST', '/v1/sessions/{id}/events', await observed(res));
  });

  it('WebSocket tickets: 201, and 400, 404 as documented', async () => {
    const { id } = await createSession(t, alice);
    const issued = await t.http().post('/v1/ws-tickets').set(auth(alice)).send({ sessionId: id });
    expect(issued.status).toBe(201);
    contract.check('POST', '/v1/ws-tickets', issued);
    const hidden = await t.http().post('/v1/ws-tickets').set(auth(admin)).send({ sessionId: randomUUID() });
    expect(hidden.status).toBe(404);
    contract.check('POST', '/v1/ws-tickets', hidden);
    const bad = await t.http().post('/v1/ws-tickets').set(auth(alice)).send({ sessionId: 'x' });
    expect(bad.status).toBe(400);
    contract.check('POST', '/v1/ws-tickets', bad);
  });

  it('A2A: the card, JSON-RPC results and errors, HTTP+JSON results and errors', async () => {
    const V1 = { 'A2A-Version': '1.0', 'Content-Type': 'application/json' };
    const card = await fetch(`${t.baseUrl}/a2a/echo/.well-known/agent-card.json`, { headers: V1 });
    contract.check('GET', '/a2a/{agentId}/.well-known/agent-card.json', await observed(card));
    const rpc = (headers: Record<string, string>, method: string, params: unknown) =>
      fetch(`${t.baseUrl}/a2a/echo/jsonrpc`, {
        method: 'POST',
        headers: { ...V1, ...headers },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      });
    const list = await observed(await rpc(auth(alice), 'ListTasks', {}));
    expect(list.status).toBe(200);
    contract.check('POST', '/a2a/{agentId}/jsonrpc', list);
    const anonymous = await observed(await rpc({}, 'ListTasks', {}));
    expect(anonymous.status).toBe(401);
    contract.check('POST', '/a2a/{agentId}/jsonrpc', anonymous);
    const message = { role: 'ROLE_USER', messageId: randomUUID(), parts: [{ text: 'hi' }] };
    const sent = await fetch(`${t.baseUrl}/a2a/echo/rest/message:send`, {
      method: 'POST',
      headers: { ...V1, ...auth(alice) },
      body: JSON.stringify({ message }),
    });
    contract.check('POST', '/a2a/{agentId}/rest/message:send', await observed(sent));
    const forbidden = await fetch(`${t.baseUrl}/a2a/echo/rest/message:send`, {
      method: 'POST',
      headers: { ...V1, ...auth(reviewer) },
      body: JSON.stringify({ message: { ...message, messageId: randomUUID() } }),
    });
    expect(forbidden.status).toBe(403);
    contract.check('POST', '/a2a/{agentId}/rest/message:send', await observed(forbidden));
    const tasks = await fetch(`${t.baseUrl}/a2a/echo/rest/tasks`, { headers: { ...V1, ...auth(alice) } });
    contract.check('GET', '/a2a/{agentId}/rest/tasks', await observed(tasks));
  });
});
