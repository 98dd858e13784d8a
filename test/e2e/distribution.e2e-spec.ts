import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { sql } from '../helpers/test-database.js';

const run = promisify(execFile);

/** The schema can be distributed by session (Citus); plain PostgreSQL, as here, stays the tested default. */
describe('distributable by session', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { WORKER_ENABLED: 'false' } });
  });
  afterAll(() => t.close());

  it('keys events and tasks by session: primary keys, unique constraints and the keys between them all start with session_id', async () => {
    const keys = await sql<{
      table: string;
      name: string;
      type: string;
      columns: string[];
      referenced: string[] | null;
    }>(
      t.db.url,
      `SELECT c.conrelid::regclass::text AS table, c.conname AS name, c.contype AS type,
              (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS columns,
              (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) AS referenced
       FROM pg_constraint c
       WHERE c.conrelid IN ('events'::regclass, 'tasks'::regclass) AND c.contype IN ('p', 'u', 'f')
       ORDER BY 1, 2`,
    );
    const byName = new Map(keys.map((k) => [k.name, k]));
    expect(byName.get('tasks_pkey')?.columns).toEqual(['session_id', 'id']);
    expect(byName.get('events_pkey')?.columns).toEqual(['session_id', 'id']);
    expect(byName.get('events_session_id_task_id_fkey')).toMatchObject({
      columns: ['session_id', 'task_id'],
      referenced: ['session_id', 'id'],
    });
    for (const key of keys) {
      expect({ name: key.name, first: key.columns[0] }).toEqual({ name: key.name, first: 'session_id' });
      // to sessions: by its id (the distribution column there); to events or tasks: by (session_id, id)
      if (key.type === 'f') expect(['id', 'session_id']).toContain(key.referenced![0]);
    }
    const unique = await sql<{ name: string; definition: string }>(
      t.db.url,
      `SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS definition FROM pg_index
       WHERE indisunique AND indrelid IN ('events'::regclass, 'tasks'::regclass)`,
    );
    expect(unique.length).toBeGreaterThanOrEqual(4);
    for (const index of unique) expect(index.definition).toMatch(/\(session_id, /);
  });

  it('every foreign key to tasks, from any table, references the task by (session_id, id)', async () => {
    const keys = await sql<{ name: string; definition: string }>(
      t.db.url,
      `SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
       WHERE contype = 'f' AND confrelid = 'tasks'::regclass ORDER BY 1`,
    );
    expect(keys.map((key) => key.name)).toEqual(
      expect.arrayContaining(['events_session_id_task_id_fkey', 'webhooks_session_id_task_id_fkey']),
    );
    for (const key of keys)
      expect(key).toEqual({ name: key.name, definition: expect.stringMatching(/REFERENCES tasks\(session_id, id\)/) });
  });

  it('npm run db:distribute explains itself and changes nothing when the citus extension is absent', async () => {
    const before = await sql(t.db.url, "SELECT conname FROM pg_constraint WHERE conname = 'sessions_parent_id_fkey'");
    const failure = await run(process.execPath, [resolve(__dirname, '../../dist/cli/distribute.cli.js')], {
      env: { ...process.env, DATABASE_URL: t.db.url, DATABASE_MIGRATE_URL: '' },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 3 });
    expect((failure as { stderr: string }).stderr).toMatch(
      /citus extension is not installed .* CREATE EXTENSION citus/s,
    );
    const after = await sql(t.db.url, "SELECT conname FROM pg_constraint WHERE conname = 'sessions_parent_id_fkey'");
    expect(after).toEqual(before);
    expect(after).toHaveLength(1);
  });
});
