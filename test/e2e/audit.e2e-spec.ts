import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { auth, createSession, say } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { sql } from '../helpers/test-database.js';

const run = promisify(execFile);

describe('audit integrity, replay, hierarchy and retention', () => {
  let t: TestApp;
  let alice: string;

  beforeAll(async () => {
    t = await startTestApp();
    alice = await t.token('alice');
  });
  afterAll(() => t.close());

  it('verifies an intact chain, and detects a row edited directly in SQL with the trigger disabled', async () => {
    const session = await createSession(t, alice);
    for (const m of ['one', 'two', 'three']) await say(t, alice, session.id, m);
    const ok = await t.http().get(`/v1/sessions/${session.id}/verify`).set(auth(alice));
    expect(ok.body).toEqual({
      sessionId: session.id,
      valid: true,
      eventCount: 6,
      checked: 6,
      firstBrokenSeq: null,
      reason: null,
    });

    await sql(
      t.db.url,
      `
      BEGIN;
      ALTER TABLE events DISABLE TRIGGER events_append_only_row;
      UPDATE events SET parts = '[{"kind":"text","text":"I never said that"}]' WHERE session_id = '${session.id}' AND seq = 3;
      ALTER TABLE events ENABLE TRIGGER events_append_only_row;
      COMMIT;`,
    );
    const broken = await t.http().get(`/v1/sessions/${session.id}/verify`).set(auth(alice));
    expect(broken.body).toMatchObject({
      valid: false,
      firstBrokenSeq: 3,
      checked: 2,
      reason: expect.stringContaining('hash'),
    });
  });

  it('verifies a priced answer hashed with its cost as reported (0.004) before costs were hashed as stored (0.004000)', async () => {
    const session = await createSession(t, alice);
    await say(t, alice, session.id, 'priced');
    const rehash = (hashedCost: string) =>
      sql(
        t.db.url,
        `
      BEGIN;
      ALTER TABLE events DISABLE TRIGGER events_append_only_row;
      UPDATE events e SET cost_usd = 0.004,
        hash = event_chain_hash(p.hash, event_canonical(e.id, e.session_id, e.seq, e.type, e.role, e.parts, e.task_id,
          e.metadata, e.model, e.prompt_tokens, e.completion_tokens, ${hashedCost}::numeric, e.created_at, e.parent_id))
      FROM events p
      WHERE e.session_id = '${session.id}' AND e.seq = 2 AND p.session_id = e.session_id AND p.seq = 1;
      UPDATE sessions SET last_hash = (SELECT hash FROM events WHERE session_id = '${session.id}' AND seq = 2)
      WHERE id = '${session.id}';
      ALTER TABLE events ENABLE TRIGGER events_append_only_row;
      COMMIT;`,
      );
    const verify = async () => (await t.http().get(`/v1/sessions/${session.id}/verify`).set(auth(alice))).body;

    await rehash('0.004');
    expect(await verify()).toMatchObject({ valid: true, checked: 2 });
    await rehash('0.005'); // a hash over another cost than the stored one is still a broken chain
    expect(await verify()).toMatchObject({ valid: false, firstBrokenSeq: 2 });
    await rehash('0.004'); // leaves the session intact for the command-line check below
    expect(await verify()).toMatchObject({ valid: true });
  });

  it('detects a deleted event and a forged head', async () => {
    const session = await createSession(t, alice);
    await say(t, alice, session.id, 'a');
    await say(t, alice, session.id, 'b');
    await sql(
      t.db.url,
      `
      BEGIN;
      ALTER TABLE events DISABLE TRIGGER ALL;
      ALTER TABLE tasks DISABLE TRIGGER ALL;
      DELETE FROM events WHERE session_id = '${session.id}' AND seq = 4;
      ALTER TABLE tasks ENABLE TRIGGER ALL;
      ALTER TABLE events ENABLE TRIGGER ALL;
      COMMIT;`,
    );
    const res = await t.http().get(`/v1/sessions/${session.id}/verify`).set(auth(alice));
    expect(res.body).toMatchObject({ valid: false, firstBrokenSeq: 4, reason: 'event missing' });
  });

  it('npm run audit:verify checks every session from the command line', async () => {
    const env = { ...process.env, DATABASE_URL: t.db.url, LOG_LEVEL: 'silent' };
    const result = await run('node', ['dist/cli/audit-verify.cli.js'], { env }).catch(
      (error: { code: number; stdout: string }) => error,
    );
    expect(result.stdout).toMatch(/BROKEN .* at seq 3/);
    expect(result.stdout).toMatch(/session\(s\) verified, 2 broken/);
    expect((result as { code?: number }).code).toBe(1);
  });

  it('rebuilds state and status at any seq from the events alone', async () => {
    const session = await createSession(t, alice, { state: { step: 1 } });
    await say(t, alice, session.id, '/ask which?');
    await t
      .http()
      .patch(`/v1/sessions/${session.id}`)
      .set(auth(alice))
      .send({ state: { step: 2 } });
    await say(t, alice, session.id, 'that one');
    await t.http().delete(`/v1/sessions/${session.id}`).set(auth(alice));
    const at = async (seq: number) =>
      (await t.http().get(`/v1/sessions/${session.id}/state?at=${seq}`).set(auth(alice))).body;
    expect(await at(0)).toMatchObject({ state: {}, status: 'active' });
    expect(await at(1)).toMatchObject({ state: { step: 1 }, status: 'active' });
    expect(await at(3)).toMatchObject({ state: { step: 1 }, status: 'input_required' });
    expect(await at(4)).toMatchObject({ state: { step: 2 }, status: 'input_required' });
    expect(await at(6)).toMatchObject({ state: { step: 2 }, status: 'active' });
    expect(await at(7)).toMatchObject({ state: { step: 2 }, status: 'closed' });
    expect((await t.http().get(`/v1/sessions/${session.id}/state?at=99`).set(auth(alice))).status).toBe(400);
    expect((await t.http().get(`/v1/sessions/${session.id}/state`).set(auth(alice))).status).toBe(400);
  });

  it('lists children and ancestors; children inherit the owner', async () => {
    const root = await createSession(t, alice, { name: 'root' });
    const child = await createSession(t, alice, { parentId: root.id, name: 'child' });
    const grandchild = await createSession(t, alice, { parentId: child.id, name: 'grandchild' });
    const children = await t.http().get(`/v1/sessions/${root.id}/children`).set(auth(alice));
    expect(children.body.data.map((s: { id: string }) => s.id)).toEqual([child.id]);
    const ancestors = await t.http().get(`/v1/sessions/${grandchild.id}/ancestors`).set(auth(alice));
    expect(ancestors.body.map((s: { name: string }) => s.name)).toEqual(['child', 'root']);
    const bob = await t.token('bob');
    expect((await t.http().get(`/v1/sessions/${root.id}/children`).set(auth(bob))).status).toBe(404);
  });

  it('purges whole sessions past retention through the admin command and records what it purged', async () => {
    const old = await createSession(t, alice, { name: 'old' });
    await say(t, alice, old.id, 'ancient history');
    const child = await createSession(t, alice, { parentId: old.id });
    const recent = await createSession(t, alice, { name: 'recent' });
    await sql(t.db.url, `UPDATE sessions SET last_activity_at = now() - interval '40 days' WHERE id = $1`, [old.id]);
    await sql(
      t.db.url,
      `UPDATE sessions SET last_activity_at = now() - interval '40 days' WHERE id <> ALL($1::uuid[]) AND id <> $2`,
      [[recent.id, child.id], old.id],
    );
    const env = { ...process.env, DATABASE_URL: t.db.url, LOG_LEVEL: 'silent' };
    const dry = await run('node', ['dist/cli/retention.cli.js', '--days', '30', '--dry-run'], { env });
    expect(dry.stdout).toContain(`would purge ${old.id}`);
    expect((await sql(t.db.url, 'SELECT 1 FROM sessions WHERE id = $1', [old.id])).length).toBe(1);
    const real = await run('node', ['dist/cli/retention.cli.js', '--days', '30', '--by', 'ops'], { env });
    expect(real.stdout).toContain(`purged ${old.id}`);
    expect(await sql(t.db.url, 'SELECT count(*)::int AS n FROM events WHERE session_id = $1', [old.id])).toEqual([
      { n: 0 },
    ]);
    expect(
      await sql(
        t.db.url,
        'SELECT user_id, event_count, retention_days, purged_by FROM purge_log WHERE session_id = $1',
        [old.id],
      ),
    ).toEqual([{ user_id: 'alice', event_count: 2, retention_days: 30, purged_by: 'ops' }]);
    expect((await t.http().get(`/v1/sessions/${recent.id}`).set(auth(alice))).status).toBe(200);
    expect((await t.http().get(`/v1/sessions/${child.id}`).set(auth(alice))).body.parentId).toBeNull();
    await expect(sql(t.db.url, 'DELETE FROM events WHERE session_id = $1', [recent.id])).resolves.toBeDefined();
  });
});
