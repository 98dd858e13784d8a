import { auth, createSession, eventually, say } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { sql } from '../helpers/test-database.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';

/** The service as deployed: WEBHOOK_ALLOW_PRIVATE unset, so only public receivers are reachable. */
describe('webhook URLs and SSRF', () => {
  const receiver = new WebhookReceiver();
  let t: TestApp;
  let alice: string;

  beforeAll(async () => {
    await receiver.start();
    t = await startTestApp();
    alice = await t.token('alice');
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });

  it('refuses loopback, private, link-local and metadata addresses at registration (400)', async () => {
    const session = await createSession(t, alice);
    const refused = [
      `${receiver.url}/hook`,
      'http://localhost:8080/hook',
      'http://10.0.0.5/hook',
      'http://172.20.1.1/hook',
      'http://192.168.1.10/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://100.64.0.1/hook',
      'http://0.0.0.0:3000/hook',
      'http://[::1]:3000/hook',
      'http://[fd00::1]/hook',
      'http://[fe80::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://2130706433/hook',
      'http://0x7f.1/hook',
      'gopher://example.com/hook',
    ];
    for (const url of refused) {
      const res = await t.http().put(`/v1/sessions/${session.id}/webhook`).set(auth(alice)).send({ url });
      expect({ url, status: res.status, code: res.body.code }).toEqual({
        url,
        status: 400,
        code: 'webhook/url_refused',
      });
    }
    await t.http().get(`/v1/sessions/${session.id}/webhook`).set(auth(alice)).expect(404);
  });

  it('refuses a private webhook on session create (400) and opens no session; PATCH stores nothing either', async () => {
    const sessions = async () =>
      Number((await sql<{ n: string }>(t.db.url, "SELECT count(*) AS n FROM sessions WHERE user_id = 'alice'"))[0].n);
    const before = await sessions();
    for (const url of ['http://127.0.0.1/x', `${receiver.url}/create`, 'http://[::1]/x']) {
      const res = await t
        .http()
        .post('/v1/sessions')
        .set(auth(alice))
        .send({ agentId: 'echo', name: 'refused', webhook: { url } });
      expect({ url, status: res.status, code: res.body.code }).toEqual({
        url,
        status: 400,
        code: 'webhook/url_refused',
      });
    }
    expect(await sessions()).toBe(before);
    const session = await createSession(t, alice);
    const patched = await t
      .http()
      .patch(`/v1/sessions/${session.id}`)
      .set(auth(alice))
      .send({ name: 'renamed', webhook: { url: 'http://10.0.0.5/hook' } });
    expect(patched.status).toBe(400);
    expect(patched.body.code).toBe('webhook/url_refused');
    const shown = await t.http().get(`/v1/sessions/${session.id}`).set(auth(alice)).expect(200);
    expect(shown.body.name).toBeNull();
    await t.http().get(`/v1/sessions/${session.id}/webhook`).set(auth(alice)).expect(404);
  });

  it('checks again when delivering, so a name that now resolves to loopback is refused (DNS rebinding)', async () => {
    const session = await createSession(t, alice);
    // As if `localhost` and 127.0.0.1 had resolved to a public address when they were registered: the rows
    // are written directly, past the registration check.
    const port = new URL(receiver.url).port;
    for (const [path, host] of [
      ['/rebound-name', 'localhost'],
      ['/rebound-ip', '127.0.0.1'],
    ]) {
      await sql(
        t.db.url,
        `INSERT INTO webhooks (kind, owner_id, session_id, url, secret) VALUES ('session', 'alice', $1, $2, 'whsec_x')
         ON CONFLICT (session_id) WHERE kind = 'session' DO UPDATE SET url = EXCLUDED.url`,
        [session.id, `http://${host}:${port}${path}`],
      );
      await say(t, alice, session.id, `to ${host}`);
    }
    const rows = await eventually(
      () =>
        sql<{ status: string; attempts: number; last_error: string | null }>(
          t.db.url,
          'SELECT status, attempts, last_error FROM webhook_deliveries WHERE session_id = $1',
          [session.id],
        ),
      (list) => list.length === 8 && list.every((row) => row.status === 'failed'),
    );
    // refused before connecting, and not retried
    expect(
      rows.every((row) => row.attempts === 1 && /non-public|not a public address/.test(row.last_error ?? '')),
    ).toBe(true);
    expect(receiver.received).toEqual([]);
    const metrics = await t
      .http()
      .get('/metrics')
      .set(auth(await t.token('ops', 'admin')));
    expect(metrics.text).toMatch(/webhook_deliveries_total\{outcome="refused"\} 8/);
  });
});
