import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { auth, createSession, say } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { sql } from '../helpers/test-database.js';

/** The SQL blocks of docs/sql.md, each under its ### heading. */
function documentedQueries(): [string, string][] {
  const text = readFileSync(resolve(__dirname, '..', '..', 'docs', 'sql.md'), 'utf8');
  const found: [string, string][] = [];
  const pattern = /^### (.+)\n+```sql\n([\s\S]*?)```/gm;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) found.push([m[1].trim(), m[2]]);
  return found;
}

describe('SQL analytics', () => {
  let t: TestApp;
  let first: string;

  beforeAll(async () => {
    t = await startTestApp();
    const [alice, bob] = [await t.token('alice'), await t.token('bob')];
    first = (await createSession(t, alice, { name: 'first' })).id;
    await say(t, alice, first, 'Where is my order?');
    await say(t, alice, first, '/fail carrier API down');
    await say(t, alice, first, '/ask Which address?');
    const second = (await createSession(t, bob, { name: 'second' })).id;
    await say(t, bob, second, 'hello');
    await say(t, bob, second, '/tool search {"q":"parcel"}');
    await say(t, bob, second, '/tool carrier {"fail":true}');
    await t.http().delete(`/v1/sessions/${second}`).set(auth(bob));
    // scoped state: a user: key the hosted agent patches
    const third = (await createSession(t, bob, { name: 'third' })).id;
    await say(t, bob, third, '/set user:lang=fr');
  });
  afterAll(() => t.close());

  const queries = documentedQueries();

  it('documents at least a dozen example queries', () => {
    expect(queries.length).toBeGreaterThanOrEqual(12);
  });

  it.each(queries)('runs the documented query "%s" and it returns rows', async (_title, query) => {
    const rows = await sql(t.db.url, query);
    expect(rows.length).toBeGreaterThan(0);
  });

  it('the documented hash-chain check finds the seeded chain intact', async () => {
    const [, query] = queries.find(([title]) => title.startsWith('Hash-chain'))!;
    expect(await sql(t.db.url, query)).toEqual([
      { session_id: first, events_checked: '6', intact: true, first_broken_seq: null },
    ]);
  });

  it('the documented tool queries count calls and failed results per tool', async () => {
    const [, mostCalled] = queries.find(([title]) => title === 'Most-called tools')!;
    expect(await sql(t.db.url, mostCalled)).toEqual(
      expect.arrayContaining([expect.objectContaining({ tool: 'search', calls: '1' })]),
    );
    const [, failing] = queries.find(([title]) => title === 'Failing tools')!;
    expect(await sql(t.db.url, failing)).toEqual([
      { tool: 'carrier', results: '1', errors: '1', error_percent: '100.00' },
    ]);
  });

  it('summarises sessions, tasks and daily usage correctly', async () => {
    const [summary] = await sql<Record<string, unknown>>(
      t.db.url,
      'SELECT * FROM session_summary WHERE session_id = $1',
      [first],
    );
    expect(summary).toMatchObject({
      turns: 3,
      event_count: 6,
      agent_messages: '2',
      failed_tasks: '1',
      completed_tasks: '1',
    });
    const tasks = await sql<{ n: string; bad: string }>(
      t.db.url,
      "SELECT count(*) AS n, count(*) FILTER (WHERE queue_wait < interval '0' OR run_time < interval '0') AS bad FROM task_metrics",
    );
    expect(tasks[0]).toEqual({ n: '7', bad: '0' });
    const usage = await sql<{ user_messages: string; failed: string }>(
      t.db.url,
      'SELECT sum(user_messages) AS user_messages, sum(failed_tasks) AS failed FROM daily_usage',
    );
    expect(usage[0]).toEqual({ user_messages: '7', failed: '1' });
  });

  it('gives analytics_reader read-only access to everything but token hashes', async () => {
    const client = new Client({ connectionString: t.db.url });
    await client.connect();
    try {
      await client.query('SET ROLE analytics_reader');
      expect((await client.query('SELECT count(*)::int AS n FROM events')).rows[0].n).toBe(20);
      expect((await client.query('SELECT count(*)::int AS n FROM user_states')).rows[0].n).toBe(1);
      expect((await client.query('SELECT count(*)::int AS n FROM session_summary')).rows[0].n).toBe(3);
      await expect(client.query('SELECT * FROM api_tokens')).rejects.toThrow(/permission denied/);
      await expect(client.query("INSERT INTO users (id) VALUES ('intruder')")).rejects.toThrow(/permission denied/);
      await expect(client.query('DELETE FROM sessions')).rejects.toThrow(/permission denied/);
    } finally {
      await client.end();
    }
  });
});
