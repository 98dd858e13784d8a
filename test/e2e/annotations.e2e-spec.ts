import { randomUUID } from 'node:crypto';
import { auth, createSession, say } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('annotations and review search by id, name, metadata and label', () => {
  let t: TestApp;
  let alice: string;
  let bob: string;
  let reviewer: string;
  let admin: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp();
    [alice, bob, reviewer, admin] = await Promise.all([
      t.token('alice'),
      t.token('bob'),
      t.token('rita', 'reviewer'),
      t.token('ada', 'admin'),
    ]);
    ids.kettle = (
      await createSession(t, alice, { name: 'Kettle refund', metadata: { customer: 'C-1009', tier: 3 } })
    ).id;
    await say(t, alice, ids.kettle, 'My kettle arrived broken');
    ids.parcel = (
      await createSession(t, bob, {
        name: 'Parcel tracking',
        metadata: { customer: 'C-2000', nested: { order: 'O-77' } },
      })
    ).id;
    await say(t, bob, ids.parcel, 'Where is my parcel?');
  });
  afterAll(() => t.close());

  const annotate = (token: string, id: string, body: Json) =>
    t.http().post(`/v1/sessions/${id}/annotations`).set(auth(token)).send(body);
  const list = (token: string, id: string, query = '') =>
    t.http().get(`/v1/sessions/${id}/annotations${query}`).set(auth(token));
  const search = async (token: string, query: string) => {
    const res = await t.http().get(`/v1/review/sessions?${query}`).set(auth(token));
    expect(res.status).toBe(200);
    return res.body.data as Json[];
  };

  it('lets reviewers and admins annotate a session or an event, attributed and timestamped', async () => {
    const note = await annotate(reviewer, ids.kettle, {
      text: 'Customer called twice',
      labels: ['refund', 'vip'],
      seq: 2,
    });
    expect(note.status).toBe(201);
    expect(note.body).toMatchObject({
      sessionId: ids.kettle,
      seq: 2,
      text: 'Customer called twice',
      labels: ['refund', 'vip'],
      shared: false,
      authorId: 'rita',
      authorRole: 'reviewer',
    });
    const events = await t.http().get(`/v1/sessions/${ids.kettle}/events`).set(auth(alice));
    expect(note.body.eventId).toBe(events.body.data[1].id);
    expect(Date.parse(note.body.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    const shared = await annotate(admin, ids.kettle, { text: 'We refunded you.', shared: true });
    expect(shared.status).toBe(201);
    expect(shared.body).toMatchObject({ seq: null, eventId: null, labels: [], shared: true, authorRole: 'admin' });
  });

  it('refuses users, sharing by reviewers, empty notes, unknown events and unknown sessions', async () => {
    expect((await annotate(alice, ids.kettle, { text: 'mine' })).status).toBe(403);
    const share = await annotate(reviewer, ids.kettle, { text: 'x', shared: true });
    expect(share.status).toBe(403);
    expect((await annotate(reviewer, ids.kettle, {})).body.code).toBe('annotation/empty');
    expect((await annotate(reviewer, ids.kettle, { text: '   ' })).body.code).toBe('annotation/empty');
    const badSeq = await annotate(reviewer, ids.kettle, { text: 'x', seq: 99 });
    expect([badSeq.status, badSeq.body.code]).toEqual([400, 'annotation/unknown_event']);
    expect((await annotate(reviewer, ids.kettle, { labels: ['<b>'] })).status).toBe(400);
    expect((await annotate(reviewer, ids.kettle, { text: 'x', extra: 1 })).status).toBe(400);
    expect((await annotate(reviewer, randomUUID(), { text: 'x' })).status).toBe(404);
  });

  it('lists them oldest first with keyset pages; owners see only the shared ones; others get 404', async () => {
    await annotate(reviewer, ids.kettle, { labels: ['follow-up'] });
    const first = await list(reviewer, ids.kettle, '?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.data.map((a: Json) => a.text)).toEqual(['Customer called twice', 'We refunded you.']);
    const second = await list(reviewer, ids.kettle, `?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.data.map((a: Json) => a.labels)).toEqual([['follow-up']]);
    expect(second.body.nextCursor).toBeNull();
    const owner = await list(alice, ids.kettle);
    expect(owner.body.data.map((a: Json) => a.text)).toEqual(['We refunded you.']);
    expect((await list(bob, ids.kettle)).status).toBe(404);
    expect((await list(reviewer, ids.kettle, '?cursor=nope')).body.code).toBe('pagination/invalid_cursor');
  });

  it('records reviewer reads and writes of annotations in the access log', async () => {
    const log = await t.http().get(`/v1/admin/access-log?sessionId=${ids.kettle}`).set(auth(admin));
    const actions = log.body.data.map((row: Json) => `${row.actorId} ${row.action}`);
    expect(actions).toEqual(expect.arrayContaining(['rita session.annotate', 'rita session.annotations']));
  });

  it('exports annotations with the transcript in every format (the owner: the shared ones)', async () => {
    const json = await t.http().get(`/v1/sessions/${ids.kettle}/transcript?format=json`).set(auth(reviewer));
    const body = JSON.parse(json.text) as Json;
    expect(body.events).toHaveLength(2);
    expect(body.annotations.map((a: Json) => a.authorId)).toEqual(['rita', 'ada', 'rita']);
    const ndjson = await t.http().get(`/v1/sessions/${ids.kettle}/transcript?format=ndjson`).set(auth(reviewer));
    const lines = ndjson.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Json);
    expect(lines.filter((l) => l.kind === 'annotation').map((l) => l.labels)).toEqual([
      ['refund', 'vip'],
      [],
      ['follow-up'],
    ]);
    const md = await t.http().get(`/v1/sessions/${ids.kettle}/transcript?format=markdown`).set(auth(reviewer));
    expect(md.text).toContain('## Annotations');
    expect(md.text).toContain('**Annotation on #2** (rita, reviewer, ');
    expect(md.text).toContain('> Customer called twice');
    const csv = await t.http().get(`/v1/sessions/${ids.kettle}/transcript?format=csv`).set(auth(reviewer));
    const rows = csv.text.trim().split('\r\n');
    expect(rows[0].endsWith(',step_name,parent_id,author,labels')).toBe(true);
    expect(rows.filter((r) => r.includes(',annotation,'))).toHaveLength(3);
    expect(rows.find((r) => r.includes('Customer called twice'))).toMatch(
      /^2,.*,reviewer,annotation,Customer called twice,.*,rita,refund; vip$/,
    );
    const own = await t.http().get(`/v1/sessions/${ids.kettle}/transcript?format=json`).set(auth(alice));
    expect((JSON.parse(own.text) as Json).annotations.map((a: Json) => a.text)).toEqual(['We refunded you.']);
  });

  it('finds a session by a metadata value, whatever its key and depth, and says what matched', async () => {
    const hits = await search(reviewer, 'q=C-1009');
    expect(hits.map((h) => h.id)).toEqual([ids.kettle]);
    expect(hits[0].matchedOn).toContain('metadata');
    expect((await search(reviewer, 'q=c-1009')).map((h) => h.id)).toEqual([ids.kettle]);
    expect((await search(reviewer, 'q=o-77')).map((h) => h.id)).toEqual([ids.parcel]);
    expect((await search(reviewer, 'q=C-10')).map((h) => h.id)).toEqual([]);
  });

  it('finds a session by its id and by part of its name', async () => {
    const byId = await search(reviewer, `q=${ids.parcel}`);
    expect(byId.map((h) => [h.id, h.matchedOn])).toEqual([[ids.parcel, ['id']]]);
    const byName = await search(reviewer, 'q=tracki');
    expect(byName.map((h) => [h.id, h.matchedOn, h.match])).toEqual([[ids.parcel, ['name'], null]]);
    expect((await search(reviewer, 'q=100%25')).map((h) => h.id)).toEqual([]);
  });

  it('finds text in events and annotations, and filters by label and metadata key:value', async () => {
    const text = await search(reviewer, 'q=parcel');
    expect(text.map((h) => [h.id, h.matchedOn, h.match?.seq])).toEqual([[ids.parcel, ['name', 'text'], 1]]);
    const note = await search(reviewer, 'q=called');
    expect(note.map((h) => [h.id, h.matchedOn])).toEqual([[ids.kettle, ['annotation']]]);
    const labelled = await search(reviewer, 'label=vip');
    expect(labelled.map((h) => [h.id, h.labels])).toEqual([[ids.kettle, ['follow-up', 'refund', 'vip']]]);
    expect(await search(reviewer, 'label=nothing')).toEqual([]);
    expect((await search(reviewer, 'metadata=customer:C-2000')).map((h) => h.id)).toEqual([ids.parcel]);
    expect((await search(reviewer, 'metadata=tier:3&metadata=customer:C-1009')).map((h) => h.id)).toEqual([ids.kettle]);
    expect(await search(reviewer, 'metadata=tier:3&metadata=customer:C-2000')).toEqual([]);
    const bad = await t.http().get('/v1/review/sessions?metadata=nocolon').set(auth(reviewer));
    expect(bad.status).toBe(400);
  });

  it('keeps keyset pages with a query', async () => {
    const first = await t.http().get('/v1/review/sessions?q=customer OR C-1009 OR parcel&limit=1').set(auth(reviewer));
    expect(first.body.data).toHaveLength(1);
    const second = await t
      .http()
      .get(`/v1/review/sessions?q=customer OR C-1009 OR parcel&limit=1&cursor=${first.body.nextCursor}`)
      .set(auth(reviewer));
    expect(second.body.data).toHaveLength(1);
    expect(second.body.data[0].id).not.toBe(first.body.data[0].id);
  });
});
