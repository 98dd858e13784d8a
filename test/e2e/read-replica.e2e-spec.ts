import { Client } from 'pg';
import { READ_APPLICATION_NAME } from '../../src/platform/database/read-prisma.service.js';
import { auth, createSession, eventually, say } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { createTestDatabase, sql, type TestDatabase } from '../helpers/test-database.js';

/** Who is connected to a database, by application_name, and what each connection ran last. */
const activity = (adminUrl: string, database: string) =>
  sql<{ application_name: string; query: string }>(
    adminUrl,
    'SELECT application_name, query FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
    [database],
  );

/** `url` as a read-only session, as on a hot standby: a write through it fails. */
function readOnly(url: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', '-c default_transaction_read_only=on');
  return parsed.toString();
}

/**
 * DATABASE_READ_URL points at a frozen copy of the database: a replica that stopped replaying at the copy.
 * What reads show then tells which connection served them, and what replica lag looks like to a client.
 */
describe('with DATABASE_READ_URL on a replica', () => {
  let primary: TestDatabase;
  let replica: TestDatabase;
  let t: TestApp;
  let alice: string;
  let admin: string;
  let copied: string;
  let closed = false;

  beforeAll(async () => {
    primary = await createTestDatabase();
    const before = await startTestApp({ db: primary });
    alice = await before.token('alice');
    admin = await before.token('root', 'admin');
    copied = (await createSession(before, alice, { name: 'copied' })).id;
    expect((await say(before, alice, copied, 'parcel before the copy')).status).toBe(201);
    await before.app.close(); // a template database must have no other sessions
    replica = await createTestDatabase();
    const adminUrl = new URL(primary.url);
    adminUrl.pathname = '/postgres';
    const client = new Client({ connectionString: adminUrl.toString() });
    await client.connect();
    await client.query(`DROP DATABASE "${replica.name}"`);
    await client.query(`CREATE DATABASE "${replica.name}" TEMPLATE "${primary.name}"`);
    await client.end();
    t = await startTestApp({ db: primary, env: { DATABASE_READ_URL: readOnly(replica.url) } });
  });

  afterAll(async () => {
    if (!closed) await t?.close();
    await replica?.drop();
    await primary?.drop();
  });

  it('writes on the primary only: appends succeed, and the replica never sees them', async () => {
    const res = await say(t, alice, copied, 'parcel after the copy');
    expect(res.status).toBe(201);
    const count = `SELECT event_count FROM sessions WHERE id = $1`;
    expect((await sql<{ event_count: number }>(primary.url, count, [copied]))[0].event_count).toBe(4);
    expect((await sql<{ event_count: number }>(replica.url, count, [copied]))[0].event_count).toBe(2);
    const onReplica = await activity(primary.url, replica.name);
    expect(onReplica.filter((row) => /append_event/.test(row.query))).toEqual([]);
  });

  it('answers review search from the replica, on connections named as the read pool', async () => {
    const found = await t.http().get('/v1/review/sessions?q=parcel').set(auth(admin));
    expect(found.status).toBe(200);
    expect(found.body.data.map((hit: { id: string }) => hit.id)).toEqual([copied]);
    expect(found.body.data[0].eventCount).toBe(2);
    const onReplica = await activity(primary.url, replica.name);
    expect(onReplica.length).toBeGreaterThan(0);
    expect(new Set(onReplica.map((row) => row.application_name))).toEqual(new Set([READ_APPLICATION_NAME]));
    expect(onReplica.some((row) => /websearch_to_tsquery/.test(row.query))).toBe(true);
    const onPrimary = await activity(primary.url, primary.name);
    expect(onPrimary.some((row) => row.application_name === READ_APPLICATION_NAME)).toBe(false);
  });

  it('exports transcripts from the replica: events newer than its replay are not in them yet', async () => {
    const res = await t.http().get(`/v1/sessions/${copied}/transcript?format=json`).set(auth(alice));
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text) as { session: { eventCount: number }; events: { seq: number }[] };
    expect(body.session.eventCount).toBe(2);
    expect(body.events.map((event) => event.seq)).toEqual([1, 2]);
    // The session's own page still reads the primary.
    expect((await t.http().get(`/v1/sessions/${copied}`).set(auth(alice))).body.eventCount).toBe(4);
  });

  it('exports a session the replica does not have yet from the primary, rather than a 404', async () => {
    const fresh = (await createSession(t, alice, { name: 'fresh' })).id;
    expect((await say(t, alice, fresh, 'hello')).status).toBe(201);
    const res = await t.http().get(`/v1/sessions/${fresh}/transcript?format=json`).set(auth(alice));
    expect(res.status).toBe(200);
    expect((JSON.parse(res.text) as { events: unknown[] }).events).toHaveLength(2);
  });

  it('lists the access log from the replica', async () => {
    const res = await t.http().get('/v1/admin/access-log').set(auth(admin));
    expect(res.status).toBe(200);
    const onPrimary = await sql<{ count: string }>(primary.url, 'SELECT count(*) FROM access_log');
    expect(Number(onPrimary[0].count)).toBeGreaterThan(0);
    // The review search above was recorded on the primary only, so the replica's (empty) log is what is listed.
    expect(res.body.data).toEqual([]);
  });

  it('closes the read pool on shutdown', async () => {
    expect((await activity(primary.url, replica.name)).length).toBeGreaterThan(0);
    await t.app.close();
    closed = true;
    // A backend leaves pg_stat_activity a moment after its client hangs up: wait for it, within the default 10 s.
    expect(
      await eventually(
        () => activity(primary.url, replica.name),
        (rows) => rows.length === 0,
      ),
    ).toEqual([]);
  });
});
