import { randomUUID } from 'node:crypto';
import { createTestDatabase, sql, type TestDatabase } from '../helpers/test-database.js';
import { cliToken, ServiceProcess } from '../helpers/service-process.js';

const APPENDS = 1000;
const SESSIONS = 20;

describe('SIGKILL during 1,000 concurrent appends', () => {
  let db: TestDatabase;
  afterAll(() => db?.drop());

  it('keeps every acknowledged event exactly once, contiguous seqs, and answers every task exactly once', async () => {
    db = await createTestDatabase();
    const env = {
      DATABASE_URL: db.url,
      DATABASE_POOL_MAX: '20',
      TASK_LEASE_MS: '1000',
      WORKER_POLL_MS: '200',
      RATE_LIMIT_PER_MINUTE: '0',
    };
    const first = await ServiceProcess.start(env);
    const token = await cliToken(db.url, 'crash');
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    const sessions: string[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const res = await fetch(`${first.baseUrl}/v1/sessions`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ agentId: 'echo' }),
      });
      sessions.push(((await res.json()) as { id: string }).id);
    }
    const requests = Array.from({ length: APPENDS }, (_, i) => ({
      id: randomUUID(),
      session: sessions[i % SESSIONS],
      text: `message ${i}`,
    }));
    let acked = 0;
    const outcomes = requests.map((r) =>
      fetch(`${first.baseUrl}/v1/sessions/${r.session}/events`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ id: r.id, parts: [{ kind: 'text', text: r.text }] }),
      }).then(
        (res) => {
          if (res.status === 202) acked++;
          return res.status;
        },
        () => 0,
      ),
    );
    while (acked < APPENDS / 4) await new Promise((r) => setTimeout(r, 5));
    first.kill('SIGKILL');
    const statuses = await Promise.all(outcomes);
    const ackedIds = new Set(requests.filter((_, i) => statuses[i] === 202).map((r) => r.id));
    expect(ackedIds.size).toBeGreaterThanOrEqual(APPENDS / 4);
    expect(statuses.every((s) => s === 202 || s === 0)).toBe(true);

    const second = await ServiceProcess.start(env);
    try {
      const stored = await sql<{ id: string }>(db.url, 'SELECT id FROM events WHERE id = ANY($1::uuid[])', [
        requests.map((r) => r.id),
      ]);
      const storedIds = new Set(stored.map((r) => r.id));
      for (const id of ackedIds) expect(storedIds.has(id)).toBe(true);
      // landed whole or not at all: every stored user event has its task
      const orphans = await sql(
        db.url,
        "SELECT e.id FROM events e LEFT JOIN tasks t ON t.trigger_event_id = e.id WHERE e.role = 'user' AND t.id IS NULL",
      );
      expect(orphans).toEqual([]);
      // a retry of an unacknowledged request is answered idempotently
      const unacked = requests.filter((r) => !ackedIds.has(r.id)).slice(0, 20);
      for (const r of unacked) {
        const res = await fetch(`${second.baseUrl}/v1/sessions/${r.session}/events`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ id: r.id, parts: [{ kind: 'text', text: r.text }] }),
        });
        expect(storedIds.has(r.id) ? 200 : 202).toBe(res.status);
      }
      await waitFor(
        async () =>
          (await sql<{ n: number }>(db.url, "SELECT count(*)::int AS n FROM tasks WHERE status <> 'completed'"))[0]
            .n === 0,
        60_000,
      );
      const gaps = await sql(
        db.url,
        `SELECT session_id FROM events GROUP BY session_id HAVING max(seq) <> count(*) OR min(seq) <> 1`,
      );
      expect(gaps).toEqual([]);
      const answers = await sql<{ bad: number }>(
        db.url,
        `
        SELECT count(*)::int AS bad FROM tasks t
        WHERE (SELECT count(*) FROM events e WHERE e.task_id = t.id AND e.role = 'agent') <> 1
           OR t.response_event_id IS NULL`,
      );
      expect(answers[0].bad).toBe(0);
      const counts = await sql<{ bad: number }>(
        db.url,
        'SELECT count(*)::int AS bad FROM sessions s WHERE s.event_count <> (SELECT count(*) FROM events e WHERE e.session_id = s.id)',
      );
      expect(counts[0].bad).toBe(0);
    } finally {
      await second.stop();
    }
  }, 180_000);
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}
