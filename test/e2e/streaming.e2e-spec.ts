import { auth, createSession, eventually, say, text } from '../helpers/factories.js';
import { readSse, type SseMessage } from '../helpers/sse-client.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const seqsOf = (messages: SseMessage[]) => messages.filter((m) => m.event === 'session.event').map((m) => Number(m.id));

describe('live streaming over Server-Sent Events', () => {
  let t: TestApp;
  let alice: string;

  beforeAll(async () => {
    t = await startTestApp();
    alice = await t.token('alice');
  });
  afterAll(() => t.close());

  it('replays what was missed after Last-Event-ID, then streams new events live with no gap or duplicate', async () => {
    const session = await createSession(t, alice);
    await say(t, alice, session.id, 'one');
    await say(t, alice, session.id, 'two');
    let posted = false;
    const result = await readSse(`${t.baseUrl}/v1/sessions/${session.id}/stream`, {
      headers: { ...auth(alice), 'Last-Event-ID': '2' },
      onMessage: async (_m, all) => {
        if (!posted && seqsOf(all).includes(4)) {
          posted = true;
          await say(t, alice, session.id, 'three', false);
        }
      },
      until: (all) =>
        seqsOf(all).includes(6) && all.some((m) => m.event === 'task.status' && m.data.status === 'completed'),
    });
    expect(result.status).toBe(200);
    expect(result.contentType).toContain('text/event-stream');
    expect(seqsOf(result.messages)).toEqual([3, 4, 5, 6]);
    const live = result.messages.filter((m) => m.event === 'session.event').at(-1)!;
    expect(live.data).toMatchObject({ seq: 6, role: 'agent', sessionId: session.id });
    const statuses = result.messages.filter((m) => m.event === 'task.status').map((m) => m.data.status);
    expect(statuses).toContain('completed');
  });

  it('streams text with line breaks exactly as stored (each event is one data line)', async () => {
    const session = await createSession(t, alice);
    const parts = [
      { kind: 'text', text: 'line one\nline two\r\nthree\rfour\u2028five' },
      { kind: 'data', data: { 'key\nwith break': 'value\n\n', nested: { empty: '' } } },
    ];
    const posted = await t.http().post(`/v1/sessions/${session.id}/events`).set(auth(alice)).send({ parts });
    expect(posted.status).toBe(202);
    const result = await readSse(`${t.baseUrl}/v1/sessions/${session.id}/stream`, {
      headers: auth(alice),
      until: (all) => seqsOf(all).includes(1),
    });
    const stored = await t.http().get(`/v1/sessions/${session.id}/events`).set(auth(alice));
    const streamed = result.messages.find((m) => m.event === 'session.event' && m.id === '1');
    expect(streamed?.data).toEqual(stored.body.data[0]);
    expect(streamed?.data.parts).toEqual(parts);
  });

  it('accepts ?after= and delivers events written through another instance', async () => {
    const other = await startTestApp({ db: t.db, env: { WORKER_ENABLED: 'false' } });
    try {
      const session = await createSession(t, alice);
      await say(t, alice, session.id, 'before');
      let posted = false;
      const result = await readSse(`${other.baseUrl}/v1/sessions/${session.id}/stream?after=1`, {
        headers: auth(alice),
        onMessage: async (_m, all) => {
          if (!posted && seqsOf(all).includes(2)) {
            posted = true;
            await say(t, alice, session.id, 'after', false);
          }
        },
        until: (all) => seqsOf(all).includes(4),
      });
      expect(seqsOf(result.messages)).toEqual([2, 3, 4]);
    } finally {
      await other.close();
    }
  });

  it("streams a posted message's answer: the stored event, deltas, the stored answer and the final status", async () => {
    const session = await createSession(t, alice);
    const result = await readSse(`${t.baseUrl}/v1/sessions/${session.id}/events`, {
      method: 'POST',
      headers: auth(alice),
      body: { parts: text('stream this please') },
    });
    expect(result.status).toBe(202);
    expect(result.ended).toBe(true);
    const kinds = result.messages.map((m) => m.event);
    expect(kinds[0]).toBe('session.event');
    expect(kinds[1]).toBe('task.status');
    expect(kinds.slice(-2)).toEqual(['session.event', 'task.status']);
    const deltas = result.messages
      .filter((m) => m.event === 'message.delta')
      .map((m) => m.data.text)
      .join('');
    const answer = result.messages.at(-2)!.data;
    expect(answer).toMatchObject({ role: 'agent', seq: 2 });
    expect(deltas).toBe(answer.parts[0].text);
    expect(result.messages.at(-1)!.data).toMatchObject({ status: 'completed', responseEventId: answer.id });
  });

  it('loses nothing when the client disconnects midway: the task completes and the answer is in the history', async () => {
    const session = await createSession(t, alice);
    const result = await readSse(`${t.baseUrl}/v1/sessions/${session.id}/events`, {
      method: 'POST',
      headers: auth(alice),
      body: { parts: text('/sleep 400 slow answer') },
      until: (all) => all.length >= 1,
    });
    expect(result.messages[0].event).toBe('session.event');
    const history = await eventually(
      async () => (await t.http().get(`/v1/sessions/${session.id}/events`).set(auth(alice))).body.data,
      (data: unknown[]) => data.length === 2,
    );
    expect(history[1]).toMatchObject({
      role: 'agent',
      parts: [{ kind: 'text', text: expect.stringContaining('slow answer') }],
    });
  });

  it('applies the same auth and scoping: 401 without a token, 404 for another user, reviewers may watch', async () => {
    const session = await createSession(t, alice);
    const bob = await t.token('bob');
    const reviewer = await t.token('rita', 'reviewer');
    expect((await readSse(`${t.baseUrl}/v1/sessions/${session.id}/stream`)).status).toBe(401);
    const hidden = await readSse(`${t.baseUrl}/v1/sessions/${session.id}/stream`, { headers: auth(bob) });
    expect(hidden.status).toBe(404);
    expect(hidden.messages[0]).toMatchObject({ statusCode: 404, code: 'session/not_found' });
    await say(t, alice, session.id, 'watched');
    const watched = await readSse(`${t.baseUrl}/v1/sessions/${session.id}/stream`, {
      headers: auth(reviewer),
      until: (all) => seqsOf(all).length === 2,
    });
    expect(seqsOf(watched.messages)).toEqual([1, 2]);
    const badResume = await readSse(`${t.baseUrl}/v1/sessions/${session.id}/stream`, {
      headers: { ...auth(alice), 'Last-Event-ID': 'x' },
    });
    expect(badResume.status).toBe(400);
  });
});
