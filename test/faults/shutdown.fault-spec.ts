import { createTestDatabase, sql, type TestDatabase } from '../helpers/test-database.js';
import { cliToken, ServiceProcess } from '../helpers/service-process.js';
import { openSocket } from '../helpers/ws-client.js';

describe('graceful shutdown on SIGTERM', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase()));
  afterAll(() => db.drop());

  it('stops taking requests, finishes a short task, hands a long one back, closes sockets, and exits cleanly', async () => {
    const env = { DATABASE_URL: db.url, WORKER_SHUTDOWN_GRACE_MS: '1500', WORKER_POLL_MS: '200', LOG_LEVEL: 'info' };
    const service = await ServiceProcess.start(env);
    const token = await cliToken(db.url, 'shutdown');
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    const open = async () => {
      const res = await fetch(`${service.baseUrl}/v1/sessions`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ agentId: 'echo' }),
      });
      return ((await res.json()) as { id: string }).id;
    };
    const say = async (session: string, text: string) => {
      const res = await fetch(`${service.baseUrl}/v1/sessions/${session}/events`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ parts: [{ kind: 'text', text }] }),
      });
      return ((await res.json()) as { task: { id: string } }).task.id;
    };
    const short = await say(await open(), '/sleep 500 quick');
    const long = await say(await open(), '/sleep 6000 slow');
    const watched = await open();
    const socket = await openSocket(`${service.baseUrl.replace('http', 'ws')}/v1/sessions/${watched}/ws`, [
      `bearer.${token}`,
    ]);
    await new Promise((r) => setTimeout(r, 300));
    service.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    const refused = await fetch(`${service.baseUrl}/health`).then(
      (r) => r.status,
      () => 0,
    );
    expect([0, 503]).toContain(refused);
    // Nest re-raises the signal once its shutdown hooks have run: a clean exit "by SIGTERM".
    expect([0, 'SIGTERM']).toContain(await service.exited(15_000));
    expect((await socket.closed).code).toBe(1001); // going away: reconnect elsewhere and resume

    const tasks = await sql<{ id: string; status: string; lease_owner: string | null }>(
      db.url,
      'SELECT id, status, lease_owner FROM tasks WHERE id = ANY($1::uuid[])',
      [[short, long]],
    );
    const byId = Object.fromEntries(tasks.map((t) => [t.id, t]));
    expect(byId[short].status).toBe('completed');
    expect(byId[long]).toMatchObject({ status: 'submitted', lease_owner: null });
    expect(service.output).toMatch(/released 1 unfinished task/);

    const next = await ServiceProcess.start({ ...env, WORKER_SHUTDOWN_GRACE_MS: '10000' });
    try {
      const deadline = Date.now() + 20_000;
      let status = '';
      while (Date.now() < deadline && status !== 'completed') {
        status = (await sql<{ status: string }>(db.url, 'SELECT status FROM tasks WHERE id = $1', [long]))[0].status;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(status).toBe('completed');
    } finally {
      await next.stop();
    }
  }, 120_000);
});
