import { eventually } from '../helpers/factories.js';
import { cliToken, ServiceProcess } from '../helpers/service-process.js';
import { createTestDatabase, sql, type TestDatabase } from '../helpers/test-database.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';

interface Row {
  id: string;
  status: string;
  attempts: number;
}

describe('webhook deliveries survive SIGKILL', () => {
  const receiver = new WebhookReceiver();
  let db: TestDatabase;
  let service: ServiceProcess | undefined;
  let release: (status: number) => void = () => undefined;

  beforeAll(async () => {
    await receiver.start();
    db = await createTestDatabase();
  });
  afterAll(async () => {
    release(200);
    await service?.stop();
    await receiver.stop();
    await db.drop();
  });

  it('delivers every row after a restart, including the one in flight when the process died', async () => {
    // the first delivery is held open until the service is killed; later ones are answered at once
    receiver.answer('/hook', (nth) => (nth === 1 ? new Promise<number>((resolve) => (release = resolve)) : 200));
    const env = {
      DATABASE_URL: db.url,
      WORKER_POLL_MS: '200',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_TIMEOUT_MS: '1000',
    };
    service = await ServiceProcess.start(env);
    const token = await cliToken(db.url, 'alice');
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    const post = (path: string, body: unknown, method = 'POST') =>
      fetch(`${service!.baseUrl}${path}`, { method, headers, body: JSON.stringify(body) });
    const session = (await (await post('/v1/sessions', { agentId: 'echo' })).json()) as { id: string };
    expect((await post(`/v1/sessions/${session.id}/webhook`, { url: `${receiver.url}/hook` }, 'PUT')).status).toBe(201);
    const answered = await post(`/v1/sessions/${session.id}/events?wait=true`, {
      parts: [{ kind: 'text', text: 'hi' }],
    });
    expect(answered.status).toBe(201);
    await eventually(
      async () => receiver.at('/hook').length,
      (count) => count === 1,
    );

    service.kill('SIGKILL');
    await service.exited();
    const rows = () =>
      sql<Row>(db.url, 'SELECT id::text, status, attempts FROM webhook_deliveries WHERE session_id = $1 ORDER BY id', [
        session.id,
      ]);
    // the status changes and the answer were committed with their outbox rows; none was delivered
    expect((await rows()).map((row) => [row.status, row.attempts])).toEqual([
      ['pending', 1],
      ['pending', 0],
      ['pending', 0],
      ['pending', 0],
    ]);

    service = await ServiceProcess.start(env);
    const delivered = await eventually(rows, (list) => list.every((row) => row.status === 'delivered'), 20_000);
    expect(delivered.map((row) => row.attempts)).toEqual([2, 1, 1, 1]);
    const ids = receiver.at('/hook').map((hit) => hit.body.id as string);
    // the interrupted one arrives twice (same Webhook-Id, so a receiver can drop the repeat), the rest once
    expect(ids).toEqual([delivered[0].id, ...delivered.map((row) => row.id)]);
    expect(receiver.at('/hook')[1].headers['webhook-id']).toBe(delivered[0].id);
  }, 90_000);
});
