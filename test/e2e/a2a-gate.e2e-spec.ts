import { auth } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/** The A2A routes go through the same rate limit and access log as REST. */
describe('A2A endpoints: rate limit and access log', () => {
  let t: TestApp;
  let alice: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '4' } });
    alice = await t.token('alice');
  });
  afterAll(() => t.close());

  const rpc = (token: string, method: string, params: unknown) =>
    fetch(`${t.baseUrl}/a2a/echo/jsonrpc`, {
      method: 'POST',
      headers: { ...auth(token), 'Content-Type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
  const send = (token: string, text: string) =>
    rpc(token, 'message/send', {
      message: { kind: 'message', role: 'user', messageId: crypto.randomUUID(), parts: [{ kind: 'text', text }] },
    });

  it('records reviewer reads over A2A in access_log', async () => {
    const sent = (await (await send(alice, 'hello')).json()) as { result: { id: string } };
    const reviewer = await t.token('rita', 'reviewer');
    const read = await rpc(reviewer, 'tasks/get', { id: sent.result.id });
    expect(read.status).toBe(200);
    const admin = await t.token('ada', 'admin');
    const log = await t.http().get('/v1/admin/access-log?actorId=rita').set(auth(admin));
    expect(log.body.data).toEqual([
      expect.objectContaining({
        actorRole: 'reviewer',
        action: 'a2a.read',
        taskId: sent.result.id,
        detail: expect.objectContaining({ method: 'tasks/get' }),
      }),
    ]);
  });

  it('answers 429 with Retry-After once a token spends its budget, leaving other tokens alone', async () => {
    const noisy = await t.token('noisy');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await rpc(noisy, 'tasks/get', { id: crypto.randomUUID() })).status);
    expect(statuses.slice(0, 4).every((s) => s === 200)).toBe(true);
    expect(statuses[4]).toBe(429);
    const limited = await rpc(noisy, 'tasks/get', { id: crypto.randomUUID() });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({
      jsonrpc: '2.0',
      id: 1,
      error: { code: 429, data: { statusCode: 429, code: 'rate_limit/exceeded' } },
    });
    expect((await send(await t.token('calm'), 'still fine')).status).toBe(200);
  });
});
