import { auth, createSession, eventually, say, text } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

describe('a conversation through the echo agent', () => {
  let t: TestApp;
  let alice: string;

  beforeAll(async () => {
    t = await startTestApp();
    alice = await t.token('alice');
  });
  afterAll(() => t.close());

  it("stores every turn, runs a task for each and stores the agent's answer", async () => {
    const session = await createSession(t, alice, { name: 'Support chat', metadata: { channel: 'web' } });
    expect(session).toMatchObject({ userId: 'alice', status: 'active', eventCount: 0 });

    const first = await say(t, alice, session.id, 'My order is late');
    expect(first.status).toBe(201);
    expect(first.body.event).toMatchObject({ seq: 1, role: 'user', type: 'message', parts: text('My order is late') });
    expect(first.body.task).toMatchObject({
      status: 'completed',
      turn: 1,
      triggerEventId: first.body.event.id,
      attempts: 1,
    });
    expect(first.body.response).toMatchObject({ seq: 2, role: 'agent', taskId: first.body.task.id });
    expect(first.body.response.parts[0].text).toContain('turn 1');
    expect(first.body.task.responseEventId).toBe(first.body.response.id);

    const second = await say(t, alice, session.id, 'It was order 42');
    expect(second.body.response.parts[0].text).toContain('Echo (turn 2): It was order 42');
    expect(second.body.response.parts[0].text).toContain('Before that you said: "My order is late"');
    expect(second.body.response.usage).toMatchObject({ model: 'echo', promptTokens: 4 });

    const history = await t.http().get(`/v1/sessions/${session.id}/events`).set(auth(alice));
    expect(history.status).toBe(200);
    expect(history.body.data.map((e: { seq: number; role: string }) => [e.seq, e.role])).toEqual([
      [1, 'user'],
      [2, 'agent'],
      [3, 'user'],
      [4, 'agent'],
    ]);
    expect(history.body.nextAfter).toBeNull();

    const after = await t.http().get(`/v1/sessions/${session.id}`).set(auth(alice));
    expect(after.body).toMatchObject({ eventCount: 4, turnCount: 2, usage: { completionTokens: expect.any(Number) } });
    expect(after.body.usage.completionTokens).toBeGreaterThan(0);
  });

  it('answers 202 at once without ?wait and completes the task in the background', async () => {
    const session = await createSession(t, alice);
    const res = await say(t, alice, session.id, 'no waiting', false);
    expect(res.status).toBe(202);
    expect(res.body.task.status).toBe('submitted');
    expect(res.body.response).toBeUndefined();
    const task = await eventually(
      async () => (await t.http().get(`/v1/tasks/${res.body.task.id}`).set(auth(alice))).body,
      (body) => body.status === 'completed',
    );
    expect(task.responseEventId).toEqual(expect.any(String));
    const tasks = await t.http().get(`/v1/sessions/${session.id}/tasks`).set(auth(alice));
    expect(tasks.body.data).toHaveLength(1);
    expect(tasks.body.data[0].id).toBe(res.body.task.id);
  });

  it('pages through history with after/limit and through sessions with a cursor', async () => {
    const session = await createSession(t, alice);
    for (let i = 1; i <= 3; i++) await say(t, alice, session.id, `message ${i}`);
    const seqs: number[] = [];
    let after = 0;
    for (let page = 0; page < 10; page++) {
      const res = await t.http().get(`/v1/sessions/${session.id}/events?after=${after}&limit=4`).set(auth(alice));
      seqs.push(...res.body.data.map((e: { seq: number }) => e.seq));
      if (res.body.nextAfter === null) break;
      after = res.body.nextAfter;
    }
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6]);

    const bob = await t.token('bob');
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await createSession(t, bob, { name: `s${i}` })).id);
    const listed: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { data: { id: string }[]; nextCursor: string | null } } = await t
        .http()
        .get(`/v1/sessions?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .set(auth(bob));
      listed.push(...res.body.data.map((s) => s.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(listed).toEqual([...created].reverse());
    const filtered = await t.http().get('/v1/sessions?agentId=echo&status=closed').set(auth(bob));
    expect(filtered.body.data).toEqual([]);
  });

  it('merge-patches state and metadata and records the state change as an event', async () => {
    const session = await createSession(t, alice, { state: { step: 1, cart: { a: 1, b: 2 } }, metadata: { x: 1 } });
    expect(session.eventCount).toBe(1);
    const res = await t
      .http()
      .patch(`/v1/sessions/${session.id}`)
      .set(auth(alice))
      .send({ name: 'renamed', state: { step: 2, cart: { b: null } }, metadata: { y: 2 } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'renamed', state: { step: 2, cart: { a: 1 } }, metadata: { x: 1, y: 2 } });
    const events = await t.http().get(`/v1/sessions/${session.id}/events`).set(auth(alice));
    expect(events.body.data.map((e: { type: string }) => e.type)).toEqual(['state', 'state']);
    expect(events.body.data[1].parts[0].data).toEqual({
      patch: { step: 2, cart: { b: null } },
      state: { step: 2, cart: { a: 1 } },
    });
  });

  it('closes a session: 204, status closed, history kept, new events refused with 409', async () => {
    const session = await createSession(t, alice);
    await say(t, alice, session.id, 'before closing');
    expect((await t.http().delete(`/v1/sessions/${session.id}`).set(auth(alice))).status).toBe(204);
    expect((await t.http().delete(`/v1/sessions/${session.id}`).set(auth(alice))).status).toBe(204);
    const closed = await t.http().get(`/v1/sessions/${session.id}`).set(auth(alice));
    expect(closed.body).toMatchObject({ status: 'closed', eventCount: 3 });
    const refused = await say(t, alice, session.id, 'after closing');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ statusCode: 409, code: 'session/not_writable' });
    const patch = await t.http().patch(`/v1/sessions/${session.id}`).set(auth(alice)).send({ name: 'x' });
    expect(patch.status).toBe(409);
    const events = await t.http().get(`/v1/sessions/${session.id}/events`).set(auth(alice));
    expect(events.body.data.at(-1)).toMatchObject({
      type: 'status',
      role: 'system',
      parts: [{ kind: 'data', data: { status: 'closed' } }],
    });
  });

  it('expires a session after its TTL: 409 on append, still readable', async () => {
    const session = await createSession(t, alice, { ttlSeconds: 1 });
    expect(session.status).toBe('active');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const refused = await say(t, alice, session.id, 'too late');
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('expired');
    const read = await t.http().get(`/v1/sessions/${session.id}`).set(auth(alice));
    expect(read.body.status).toBe('expired');
  });

  it("keeps the agent's question open as input_required, and a failure as a failed task with an error event", async () => {
    const session = await createSession(t, alice);
    const asked = await say(t, alice, session.id, '/ask Which order?');
    expect(asked.status).toBe(201);
    expect(asked.body.task.status).toBe('input_required');
    expect(asked.body.response.parts[0].text).toBe('Which order?');
    expect((await t.http().get(`/v1/sessions/${session.id}`).set(auth(alice))).body.status).toBe('input_required');
    await say(t, alice, session.id, 'order 7');
    expect((await t.http().get(`/v1/sessions/${session.id}`).set(auth(alice))).body.status).toBe('active');

    const failed = await say(t, alice, session.id, '/fail upstream exploded');
    expect(failed.body.task).toMatchObject({ status: 'failed', error: 'upstream exploded' });
    expect(failed.body.response).toMatchObject({ type: 'error', role: 'agent', taskId: failed.body.task.id });
    const again = await t
      .http()
      .post(`/v1/tasks/${failed.body.task.id}/events?wait=true`)
      .set(auth(alice))
      .send({ parts: text('retry?') });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('task/not_awaiting_input');
  });
});

describe('answering a question over REST', () => {
  it('continues the same task with POST /v1/tasks/:id/events', async () => {
    const t = await startTestApp();
    try {
      const token = await t.token('dora');
      const session = await createSession(t, token);
      const asked = await say(t, token, session.id, '/ask Which size?');
      expect(asked.body.task.status).toBe('input_required');
      const answered = await t
        .http()
        .post(`/v1/tasks/${asked.body.task.id}/events?wait=true`)
        .set(auth(token))
        .send({ parts: text('Large') });
      expect(answered.status).toBe(201);
      expect(answered.body.task).toMatchObject({ id: asked.body.task.id, status: 'completed', turn: 2 });
      expect(answered.body.response.parts[0].text).toContain('Echo (turn 2): Large');
      const history = await t.http().get(`/v1/sessions/${session.id}/events`).set(auth(token));
      expect(history.body.data.map((e: { taskId: string }) => e.taskId)).toEqual(Array(4).fill(asked.body.task.id));
      const bob = await t.token('bob');
      expect(
        (
          await t
            .http()
            .post(`/v1/tasks/${asked.body.task.id}/events`)
            .set(auth(bob))
            .send({ parts: text('x') })
        ).status,
      ).toBe(404);
    } finally {
      await t.close();
    }
  });
});

describe('a plain message answers the task that waits for input', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp();
    token = await t.token('erin');
  });
  afterAll(() => t.close());

  it('continues the waiting task with the next plain message: same task, next attempt, nothing left open', async () => {
    const session = await createSession(t, token);
    const asked = await say(t, token, session.id, '/ask Which size?');
    expect(asked.body.task.status).toBe('input_required');
    const answered = await say(t, token, session.id, 'Large');
    expect(answered.status).toBe(201);
    expect(answered.body.task).toMatchObject({ id: asked.body.task.id, status: 'completed', turn: 2 });
    expect(answered.body.event.taskId).toBe(asked.body.task.id);
    expect(answered.body.response.parts[0].text).toContain('Echo (turn 2): Large');
    const tasks = await t.http().get(`/v1/sessions/${session.id}/tasks`).set(auth(token));
    expect(tasks.body.data).toHaveLength(1);
    expect(tasks.body.data[0]).toMatchObject({ id: asked.body.task.id, status: 'completed' });
    expect((await t.http().get(`/v1/sessions/${session.id}`).set(auth(token))).body.status).toBe('active');
  });

  it('with ?newTask=true opens a new task and cancels the waiting one with a reason', async () => {
    const session = await createSession(t, token);
    const asked = await say(t, token, session.id, '/ask Which colour?');
    const fresh = await t
      .http()
      .post(`/v1/sessions/${session.id}/events?wait=true&newTask=true`)
      .set(auth(token))
      .send({ parts: text('Never mind') });
    expect(fresh.status).toBe(201);
    expect(fresh.body.task.id).not.toBe(asked.body.task.id);
    expect(fresh.body.task.status).toBe('completed');
    const old = await t.http().get(`/v1/tasks/${asked.body.task.id}`).set(auth(token));
    expect(old.body).toMatchObject({ status: 'canceled', error: 'the user started a new task instead of answering' });
    expect(old.body.finishedAt).not.toBeNull();
  });

  it('an agent may end the conversation: the session becomes completed, and a new message reopens it', async () => {
    const session = await createSession(t, token);
    const done = await say(t, token, session.id, '/done Thanks, all sorted.');
    expect(done.body.task.status).toBe('completed');
    expect(done.body.response).toMatchObject({
      parts: text('Thanks, all sorted.'),
      metadata: { taskStatus: 'completed', endSession: true },
    });
    expect((await t.http().get(`/v1/sessions/${session.id}`).set(auth(token))).body.status).toBe('completed');
    const replayed = await t.http().get(`/v1/sessions/${session.id}/state?at=2`).set(auth(token));
    expect(replayed.body.status).toBe('completed');
    await say(t, token, session.id, 'one more thing');
    expect((await t.http().get(`/v1/sessions/${session.id}`).set(auth(token))).body.status).toBe('active');
  });

  it('a message to a session with no waiting task starts a new task as before', async () => {
    const session = await createSession(t, token);
    const first = await say(t, token, session.id, 'one');
    const second = await say(t, token, session.id, 'two');
    expect(second.body.task.id).not.toBe(first.body.task.id);
    expect(second.body.task.turn).toBe(2);
  });
});

describe('history survives a restart of the service', () => {
  it('replays the same events from a new app instance on the same database', async () => {
    const first = await startTestApp();
    const token = await first.token('carol');
    const session = await createSession(first, token);
    await say(first, token, session.id, 'remember me');
    const before = (await first.http().get(`/v1/sessions/${session.id}/events`).set(auth(token))).body.data;
    await first.app.close();

    const second = await startTestApp({ db: first.db });
    try {
      const after = await second.http().get(`/v1/sessions/${session.id}/events`).set(auth(token));
      expect(after.status).toBe(200);
      expect(after.body.data).toEqual(before);
      const next = await say(second, token, session.id, 'and now?');
      expect(next.body.event.seq).toBe(3);
      expect(next.body.response.parts[0].text).toContain('Before that you said: "remember me"');
    } finally {
      await second.close();
      await first.db.drop();
    }
  });
});
