import { auth, createSession, text } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { ConversationReader } from '../../src/conversation/conversation.reader.js';

interface Ev {
  id: string;
  seq: number;
  type: string;
  role: string;
  parts: { kind: string; text?: string }[];
}

describe('effective history: revert, reset, compaction', () => {
  let t: TestApp;
  let alice: string;
  let bob: string;

  const record = (sessionId: string, n: number) =>
    t
      .http()
      .post(`/v1/sessions/${sessionId}/turns`)
      .set(auth(alice))
      .send({ turnId: `turn-${n}`, input: { parts: text(`q${n}`) }, output: { parts: text(`a${n}`) } })
      .expect(201);
  const history = async (sessionId: string, limit = 200): Promise<Ev[]> => {
    const items: Ev[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await t.http().get(`/v1/sessions/${sessionId}/history?${query}`).set(auth(alice)).expect(200);
      items.push(...(res.body.items as Ev[]));
      cursor = res.body.nextCursor;
    } while (cursor);
    return items;
  };
  const texts = (items: Ev[]) => items.map((item) => item.parts.map((p) => p.text ?? '').join(''));
  const allEvents = async (sessionId: string): Promise<Ev[]> =>
    (await t.http().get(`/v1/sessions/${sessionId}/events?limit=200`).set(auth(alice)).expect(200)).body.data;
  const valid = async (sessionId: string) =>
    (await t.http().get(`/v1/sessions/${sessionId}/verify`).set(auth(alice)).expect(200)).body.valid;
  const edit = (sessionId: string, kind: string, body: object = {}) =>
    t.http().post(`/v1/sessions/${sessionId}/history/${kind}`).set(auth(alice)).send(body);

  beforeAll(async () => {
    t = await startTestApp();
    [alice, bob] = await Promise.all([t.token('alice'), t.token('bob')]);
  });
  afterAll(() => t.close());

  it('reverts, compacts and resets /history while /events keeps every event and the chain verifies', async () => {
    const { id } = await createSession(t, alice);
    for (const n of [1, 2, 3]) await record(id, n);
    expect(texts(await history(id))).toEqual(['q1', 'a1', 'q2', 'a2', 'q3', 'a3']);

    const reverted = await edit(id, 'revert', { items: 2 }).expect(201);
    expect(texts(reverted.body.removed)).toEqual(['q3', 'a3']);
    expect(reverted.body.event).toMatchObject({ type: 'revert', role: 'system' });
    expect(texts(await history(id))).toEqual(['q1', 'a1', 'q2', 'a2']);
    expect(await allEvents(id)).toHaveLength(7);

    const a1 = (await history(id))[1];
    const compacted = await edit(id, 'compaction', { throughSeq: a1.seq, summary: { parts: text('S1') } }).expect(201);
    expect(compacted.body.event).toMatchObject({ type: 'compaction', role: 'system' });
    expect(texts(await history(id))).toEqual(['S1', 'q2', 'a2']);
    await record(id, 4);
    expect(texts(await history(id))).toEqual(['S1', 'q2', 'a2', 'q4', 'a4']);
    // pages of one item walk the same sequence (the summary sits where the prefix was)
    expect(texts(await history(id, 1))).toEqual(['S1', 'q2', 'a2', 'q4', 'a4']);

    const revertSummary = await edit(id, 'revert', { items: 5 }).expect(201);
    expect(texts(revertSummary.body.removed)).toEqual(['S1', 'q2', 'a2', 'q4', 'a4']);
    expect(await history(id)).toEqual([]);
    expect((await edit(id, 'revert').expect(409)).body.code).toBe('history/empty');

    await record(id, 5);
    await edit(id, 'reset').expect(201);
    expect(await history(id)).toEqual([]);
    await record(id, 6);
    expect(texts(await history(id))).toEqual(['q6', 'a6']);

    const events = await allEvents(id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_e, i) => i + 1));
    expect(events.filter((e) => ['revert', 'reset', 'compaction'].includes(e.type))).toHaveLength(4);
    expect(await valid(id)).toBe(true);
  });

  it('a later compaction replaces an earlier summary; each edit hides only what was stored before it', async () => {
    const { id } = await createSession(t, alice);
    for (const n of [1, 2, 3]) await record(id, n);
    const items = await history(id);
    await edit(id, 'compaction', { throughSeq: items[1].seq, summary: { parts: text('S1') } }).expect(201);
    await edit(id, 'compaction', { throughSeq: items[3].seq, summary: { parts: text('S2') } }).expect(201);
    expect(texts(await history(id))).toEqual(['S2', 'q3', 'a3']);
    expect(texts(await history(id, 2))).toEqual(['S2', 'q3', 'a3']);
    // what an agent is shown before a turn: the effective items that come before its trigger
    const reader = t.app.get(ConversationReader);
    expect(texts((await reader.recentHistory(id, items[5].seq, 10)) as Ev[])).toEqual(['S2', 'q3']);
    expect(texts((await reader.recentHistory(id, items[5].seq, 1)) as Ev[])).toEqual(['q3']);
    expect(await valid(id)).toBe(true);
  });

  it('checks input and access', async () => {
    const { id } = await createSession(t, alice);
    await record(id, 1);
    expect(
      (await edit(id, 'compaction', { throughSeq: 99, summary: { parts: text('S') } }).expect(400)).body.code,
    ).toBe('history/invalid_through_seq');
    await edit(id, 'compaction', { throughSeq: 1, summary: { parts: [] } }).expect(400);
    await edit(id, 'revert', { items: 0 }).expect(400);
    await t.http().get(`/v1/sessions/${id}/history?cursor=nope`).set(auth(alice)).expect(400);
    await t.http().get(`/v1/sessions/${id}/history`).set(auth(bob)).expect(404);
    await t.http().post(`/v1/sessions/${id}/history/reset`).set(auth(bob)).send({}).expect(404);
    await t.http().delete(`/v1/sessions/${id}`).set(auth(alice)).expect(204);
    expect((await edit(id, 'reset').expect(409)).body.code).toBe('session/not_writable');
    expect(texts(await history(id))).toEqual(['q1', 'a1']);
  });
});
