import { auth, createSession, say } from '../helpers/factories.js';
import { seedHistory } from '../helpers/seed-history.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

describe('transcript export', () => {
  let t: TestApp;
  let alice: string;
  let session: string;

  beforeAll(async () => {
    t = await startTestApp();
    alice = await t.token('alice');
    session = (await createSession(t, alice, { name: 'Export me' })).id;
    await say(t, alice, session, 'Hello, "quoted", with a comma');
    await say(t, alice, session, '/fail =cmd|boom');
  });
  afterAll(() => t.close());

  const exportAs = (format: string, token = alice, id = session) =>
    t
      .http()
      .get(`/v1/sessions/${id}/transcript?format=${format}`)
      .set(auth(token))
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => done(null, text));
      });

  it('exports JSON with the session, events, task outcomes and usage, as a named download', async () => {
    const res = await exportAs('json');
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="session-${session}.json"`);
    const body = JSON.parse(res.body as string);
    expect(body.session).toMatchObject({ id: session, name: 'Export me', eventCount: 4 });
    expect(body.events.map((e: { seq: number; taskStatus: string }) => [e.seq, e.taskStatus])).toEqual([
      [1, 'completed'],
      [2, 'completed'],
      [3, 'failed'],
      [4, 'failed'],
    ]);
    expect(body.events[1].usage).toMatchObject({ model: 'echo' });
  });

  it('exports NDJSON, one object per line', async () => {
    const lines = ((await exportAs('ndjson')).body as string)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.kind)).toEqual(['session', 'event', 'event', 'event', 'event']);
  });

  it('exports Markdown that reads as a conversation', async () => {
    const res = await exportAs('markdown');
    expect(res.headers['content-type']).toContain('text/markdown');
    const text = res.body as string;
    expect(text).toContain('# Export me');
    expect(text).toMatch(/\*\*#1 user\*\*/);
    expect(text).toMatch(/\*\*#4 agent\*\* \(error, .* · task failed/);
  });

  it('exports CSV with quoting and no formula injection', async () => {
    const rows = ((await exportAs('csv')).body as string).trim().split('\r\n');
    expect(rows[0]).toBe(
      'seq,created_at,role,type,text,task_id,task_status,model,prompt_tokens,completion_tokens,cost_usd,step_name,parent_id,author,labels',
    );
    expect(rows[1]).toContain('"Hello, ""quoted"", with a comma"');
    expect(rows).toHaveLength(5);
    expect(rows[4]).toContain('"\'=cmd|boom\n');
  });

  it("shows a turn's steps (type, name, parent) in all four formats", async () => {
    const tools = (await createSession(t, alice)).id;
    await say(t, alice, tools, '/tool lookup {"id":7}');
    const fetch = async (format: string) => (await exportAs(format, alice, tools)).body as string;
    const events = JSON.parse(await fetch('json')).events;
    const [trigger, call, result] = events;
    expect(call).toMatchObject({ type: 'tool_call', stepName: 'lookup', parentId: trigger.id });
    expect(result).toMatchObject({ type: 'tool_result', stepName: call.metadata.callId, parentId: call.id });
    const lines = (await fetch('ndjson'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[2]).toMatchObject({ kind: 'event', type: 'tool_call', stepName: 'lookup', parentId: trigger.id });
    expect(await fetch('markdown')).toContain(`(tool_call lookup · parent \`${trigger.id}\`, `);
    const rows = (await fetch('csv')).trim().split('\r\n');
    expect(rows[2]).toMatch(new RegExp(`,tool_call,.*,lookup,${trigger.id},,$`));
    expect(rows[3]).toMatch(new RegExp(`^3,.*,tool,tool_result,.*,${call.id},,$`));
  });

  it('lets owners, reviewers and admins export; hides it from other users; rejects unknown formats', async () => {
    expect((await exportAs('json', await t.token('rita', 'reviewer'))).status).toBe(200);
    expect((await exportAs('json', await t.token('bob'))).status).toBe(404);
    expect((await t.http().get(`/v1/sessions/${session}/transcript?format=pdf`).set(auth(alice))).status).toBe(400);
  });

  it('streams a long session page by page', async () => {
    const long = await createSession(t, alice);
    // more than two pages (1,000 events each) of export, seeded in SQL with a valid hash chain
    await seedHistory(t.db.url, long.id, 2_100, 64);
    const res = await t
      .http()
      .get(`/v1/sessions/${long.id}/transcript?format=ndjson`)
      .set(auth(alice))
      .buffer(true)
      .parse((r, done) => {
        let n = 0;
        let tail = '';
        r.on('data', (chunk: Buffer) => {
          const text = tail + chunk.toString('utf8');
          const parts = text.split('\n');
          tail = parts.pop() ?? '';
          n += parts.length;
        });
        r.on('end', () => done(null, n));
      });
    expect(res.body).toBe(1 + 2_100);
  }, 60_000);
});
