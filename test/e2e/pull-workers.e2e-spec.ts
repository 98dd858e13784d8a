import { auth, createSession, eventually, say, text } from '../helpers/factories.js';
import { externalAgentsFile } from '../helpers/pull-agents.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { sql } from '../helpers/test-database.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('pull workers of external agents', () => {
  let t: TestApp;
  let alice: string;
  let worker: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { AGENTS_FILE: externalAgentsFile('support', 'other') } });
    alice = await t.token('alice');
    worker = await t.agentToken(['support']);
  });
  afterAll(() => t.close());

  const claim = (token: string, body: Json = {}, agentId = 'support') =>
    t
      .http()
      .post(`/v1/agents/${agentId}/tasks/claim`)
      .set(auth(token))
      .send({ waitMs: 0, ...body });
  const post = (token: string, path: string, body: Json) => t.http().post(path).set(auth(token)).send(body);
  const answers = async (taskId: string) =>
    sql<{ type: string; seq: number }>(
      t.db.url,
      "SELECT type, seq FROM events WHERE task_id = $1 AND role = 'agent' AND parent_id IS NULL AND type IN ('message', 'error')",
      [taskId],
    );

  it('claim, steps, heartbeat, result: the turn is stored like a hosted agent', async () => {
    const session = await createSession(t, alice, { agentId: 'support' });
    await say(t, alice, session.id, 'first question', false);
    const first = (await claim(worker).expect(200)).body.claims[0];
    await post(worker, `/v1/tasks/${first.task.id}/result`, { leaseId: first.leaseId, parts: text('one') }).expect(200);

    const posted = await say(t, alice, session.id, 'where is my order?', false);
    const res = await claim(worker, { historyLimit: 5 }).expect(200);
    expect(res.body.claims).toHaveLength(1);
    const c = res.body.claims[0];
    expect(c).toMatchObject({ attempt: 1, task: { id: posted.body.task.id, status: 'working', attempts: 1 } });
    expect(c.trigger).toMatchObject({ id: posted.body.event.id, role: 'user', parts: text('where is my order?') });
    expect(c.session).toMatchObject({ id: session.id, userId: 'alice', agentId: 'support' });
    expect(c.history.map((e: Json) => e.parts[0].text)).toEqual(['first question', 'one']);
    expect(Date.parse(c.leaseExpiresAt)).toBeGreaterThan(Date.now());

    const call = { kind: 'tool_call', callId: 'c1', name: 'orders', arguments: { id: 42 } };
    const said = { kind: 'message', parts: text('Let me look.') };
    const steps = await post(worker, `/v1/tasks/${c.task.id}/steps`, { leaseId: c.leaseId, steps: [said, call] });
    expect(steps.status).toBe(201);
    const [message, toolCall] = steps.body.events;
    expect(message).toMatchObject({ type: 'message', parentId: c.trigger.id, metadata: { attempt: 1 } });
    expect(toolCall).toMatchObject({ type: 'tool_call', parentId: message.id, metadata: { callId: 'c1', attempt: 1 } });

    const beat = await post(worker, `/v1/tasks/${c.task.id}/heartbeat`, { leaseId: c.leaseId, leaseMs: 60_000 });
    expect(beat.status).toBe(200);
    expect(Date.parse(beat.body.leaseExpiresAt)).toBeGreaterThan(Date.now() + 50_000);

    const result = await post(worker, `/v1/tasks/${c.task.id}/result`, {
      leaseId: c.leaseId,
      parts: text('It ships tomorrow.'),
      steps: [{ kind: 'tool_result', callId: 'c1', output: text('shipped') }],
      usage: { promptTokens: 10, completionTokens: 5, model: 'm' },
      statePatch: { order: 42 },
      artifacts: [{ artifactId: 'a1', name: 'receipt', parts: text('r') }],
    });
    expect(result.status).toBe(200);
    expect(result.body.task).toMatchObject({ id: c.task.id, status: 'completed', attempts: 1 });

    const events = (await t.http().get(`/v1/sessions/${session.id}/events`).set(auth(alice))).body.data as Json[];
    const ofTask = events.filter((e) => e.taskId === c.task.id && e.role !== 'user');
    expect(ofTask.map((e) => e.type)).toEqual(['message', 'tool_call', 'tool_result', 'artifact', 'state', 'message']);
    expect(ofTask[2]).toMatchObject({ parentId: toolCall.id, metadata: { attempt: 1 } });
    expect(ofTask[5]).toMatchObject({ parentId: null, parts: text('It ships tomorrow.'), usage: { promptTokens: 10 } });
    expect((await t.http().get(`/v1/sessions/${session.id}/verify`).set(auth(alice))).body.valid).toBe(true);
    expect((await t.http().get(`/v1/sessions/${session.id}`).set(auth(alice))).body.state).toEqual({ order: 42 });
  });

  it('shows the scoped state and the effective history; a bound worker may patch app: state', async () => {
    const session = await createSession(t, alice, { agentId: 'support' });
    await say(t, alice, session.id, 'remember me', false);
    const first = (await claim(worker).expect(200)).body.claims[0];
    const patch = { plan: 'basic', 'user:lang': 'fr', 'app:tier': 'gold', 'temp:scratch': 1 };
    const settled = await post(worker, `/v1/tasks/${first.task.id}/result`, {
      leaseId: first.leaseId,
      parts: text('noted'),
      statePatch: patch,
    });
    expect(settled.status).toBe(200);
    const revert = await post(alice, `/v1/sessions/${session.id}/history/revert`, { items: 1 });
    expect(revert.status).toBe(201);
    await say(t, alice, session.id, 'and now?', false);
    const next = (await claim(worker).expect(200)).body.claims[0];
    expect(next.session.state).toEqual({ plan: 'basic', 'user:lang': 'fr', 'app:tier': 'gold' });
    // the reverted answer is gone from the effective history, not from the events
    expect(next.history.map((e: Json) => e.parts[0].text)).toEqual(['remember me']);
    await post(worker, `/v1/tasks/${next.task.id}/result`, { leaseId: next.leaseId, parts: text('ok') }).expect(200);
  });

  it("keeps turn order: the session's next message is claimable only once the previous task settled", async () => {
    const session = await createSession(t, alice, { agentId: 'support' });
    const one = await say(t, alice, session.id, 'one', false);
    const two = await say(t, alice, session.id, 'two', false);
    const first = (await claim(worker, { limit: 10 }).expect(200)).body.claims as Json[];
    expect(first.map((c) => c.task.id)).toEqual([one.body.task.id]);
    expect((await claim(worker, { limit: 10 }).expect(200)).body.claims).toEqual([]);
    await post(worker, `/v1/tasks/${one.body.task.id}/result`, { leaseId: first[0].leaseId, parts: text('1') });
    const next = (await claim(worker).expect(200)).body.claims as Json[];
    expect(next.map((c) => c.task.id)).toEqual([two.body.task.id]);
    await post(worker, `/v1/tasks/${two.body.task.id}/result`, { leaseId: next[0].leaseId, parts: text('2') });
  });

  it('an expired lease is claimed again with the next attempt; the first worker is refused with 409', async () => {
    const session = await createSession(t, alice, { agentId: 'support' });
    const posted = await say(t, alice, session.id, 'slow one', false);
    const a = (await claim(worker).expect(200)).body.claims[0];
    await post(worker, `/v1/tasks/${a.task.id}/steps`, {
      leaseId: a.leaseId,
      steps: [{ kind: 'message', parts: text('a') }],
    });
    await sql(t.db.url, "UPDATE tasks SET lease_expires_at = now() - interval '1 second' WHERE id = $1", [a.task.id]);
    const b = (await claim(worker).expect(200)).body.claims[0];
    expect(b).toMatchObject({ attempt: 2, task: { id: posted.body.task.id } });
    expect(b.leaseId).not.toBe(a.leaseId);

    const late = await post(worker, `/v1/tasks/${a.task.id}/result`, { leaseId: a.leaseId, parts: text('late') });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('task/lease_lost');
    expect((await post(worker, `/v1/tasks/${a.task.id}/heartbeat`, { leaseId: a.leaseId })).body.code).toBe(
      'task/lease_lost',
    );
    const steps = await post(worker, `/v1/tasks/${a.task.id}/steps`, {
      leaseId: a.leaseId,
      steps: [{ kind: 'message', parts: text('x') }],
    });
    expect(steps.status).toBe(409);
    const stepB = await post(worker, `/v1/tasks/${b.task.id}/steps`, {
      leaseId: b.leaseId,
      steps: [{ kind: 'message', parts: text('b') }],
    });
    expect(stepB.body.events[0].metadata.attempt).toBe(2);
    await post(worker, `/v1/tasks/${b.task.id}/result`, { leaseId: b.leaseId, parts: text('on time') }).expect(200);
    expect(await answers(b.task.id)).toHaveLength(1);
    const again = await post(worker, `/v1/tasks/${b.task.id}/result`, { leaseId: b.leaseId, parts: text('twice') });
    expect(again.status).toBe(409);
    expect(await answers(b.task.id)).toHaveLength(1);
  });

  it('a retryable error queues the task again until TASK_MAX_ATTEMPTS; a plain error fails it', async () => {
    const session = await createSession(t, alice, { agentId: 'support' });
    const posted = await say(t, alice, session.id, 'flaky', false);
    for (const attempt of [1, 2]) {
      const c = (await claim(worker).expect(200)).body.claims[0];
      expect(c.attempt).toBe(attempt);
      const res = await post(worker, `/v1/tasks/${c.task.id}/result`, {
        leaseId: c.leaseId,
        error: { message: 'upstream busy', retryable: true },
      });
      expect(res.body.task).toMatchObject({ status: 'submitted', attempts: attempt });
    }
    const last = (await claim(worker).expect(200)).body.claims[0];
    const res = await post(worker, `/v1/tasks/${last.task.id}/result`, {
      leaseId: last.leaseId,
      error: { message: 'upstream busy', retryable: true },
    });
    expect(res.body.task).toMatchObject({ id: posted.body.task.id, status: 'failed', attempts: 3 });
    expect(res.body.task.error).toContain('upstream busy');

    const other = await say(t, alice, session.id, 'broken', false);
    const c = (await claim(worker).expect(200)).body.claims[0];
    const failed = await post(worker, `/v1/tasks/${c.task.id}/result`, {
      leaseId: c.leaseId,
      error: { message: 'no' },
    });
    expect(failed.body.task).toMatchObject({ id: other.body.task.id, status: 'failed', error: 'no' });
    expect(await answers(c.task.id)).toEqual([expect.objectContaining({ type: 'error' })]);
  });

  it('fails a task whose workers kept losing it, instead of handing it out past TASK_MAX_ATTEMPTS', async () => {
    const session = await createSession(t, alice, { agentId: 'support' });
    const posted = await say(t, alice, session.id, 'cursed', false);
    await claim(worker).expect(200);
    // its third worker died too
    await sql(t.db.url, "UPDATE tasks SET attempts = 3, lease_expires_at = now() - interval '1 second' WHERE id = $1", [
      posted.body.task.id,
    ]);
    expect((await claim(worker).expect(200)).body.claims).toEqual([]);
    const task = (await t.http().get(`/v1/tasks/${posted.body.task.id}`).set(auth(alice))).body;
    expect(task).toMatchObject({ status: 'failed', error: 'gave up after 3 interrupted attempts' });
    expect(await answers(posted.body.task.id)).toEqual([expect.objectContaining({ type: 'error' })]);
  });

  it('validates results with the turn contract: one of parts and error, well-formed steps', async () => {
    const session = await createSession(t, alice, { agentId: 'support' });
    await say(t, alice, session.id, 'validate me', false);
    const c = (await claim(worker).expect(200)).body.claims[0];
    const url = `/v1/tasks/${c.task.id}/result`;
    const both = await post(worker, url, { leaseId: c.leaseId, parts: text('a'), error: { message: 'b' } });
    expect(both.status).toBe(400);
    expect((await post(worker, url, { leaseId: c.leaseId })).status).toBe(400);
    const badStep = await post(worker, url, { leaseId: c.leaseId, parts: text('a'), steps: [{ kind: 'nope' }] });
    expect(badStep.status).toBe(400);
    expect(badStep.body.message).toContain('steps[0]');
    const badPatch = await post(worker, url, { leaseId: c.leaseId, parts: text('a'), statePatch: [1] });
    expect(badPatch.status).toBe(400);
    expect((await post(worker, url, { leaseId: c.leaseId, parts: text('ok') })).status).toBe(200);
    expect(await answers(c.task.id)).toHaveLength(1);
  });

  it('long-polls: empty after waitMs, early when a task arrives', async () => {
    const started = Date.now();
    expect((await claim(worker, { waitMs: 300 }, 'support').expect(200)).body.claims).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);

    const session = await createSession(t, alice, { agentId: 'support' });
    const waiting = claim(worker, { waitMs: 20_000 }).then((res) => ({ res, at: Date.now() }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const posted = await say(t, alice, session.id, 'wake up', false);
    const { res, at } = await waiting;
    expect(res.body.claims.map((c: Json) => c.task.id)).toEqual([posted.body.task.id]);
    expect(at - started).toBeLessThan(15_000);
    const c = res.body.claims[0];
    await post(worker, `/v1/tasks/${c.task.id}/result`, { leaseId: c.leaseId, parts: text('awake') }).expect(200);
  });

  it('the hosted worker never runs an external agent: its task waits until claimed', async () => {
    const session = await createSession(t, alice, { agentId: 'support' });
    const posted = await say(t, alice, session.id, 'hosted?', false);
    // the hosted worker answers an echo message posted after it: it has had its chance at the first
    const echo = await createSession(t, alice);
    expect((await say(t, alice, echo.id, 'ping')).status).toBe(201);
    const task = (await t.http().get(`/v1/tasks/${posted.body.task.id}`).set(auth(alice))).body;
    expect(task).toMatchObject({ status: 'submitted', attempts: 0 });
    const c = (await claim(worker).expect(200)).body.claims[0];
    expect(c.task.id).toBe(posted.body.task.id);
    await post(worker, `/v1/tasks/${c.task.id}/result`, { leaseId: c.leaseId, parts: text('pulled') }).expect(200);
  });
});

describe('waiting claims', () => {
  it('end when the client disconnects (they claim nothing) and when the instance shuts down', async () => {
    const t = await startTestApp({ env: { AGENTS_FILE: externalAgentsFile('support') } });
    let closed = false;
    try {
      const alice = await t.token('alice');
      const worker = await t.agentToken(['support']);
      const url = `${t.baseUrl}/v1/agents/support/tasks/claim`;
      const headers = { ...auth(worker), 'Content-Type': 'application/json' };
      const gone = new AbortController();
      const abandoned = fetch(url, { method: 'POST', headers, body: '{"waitMs":20000}', signal: gone.signal });
      await new Promise((resolve) => setTimeout(resolve, 200));
      gone.abort();
      await expect(abandoned).rejects.toThrow();
      const session = await createSession(t, alice, { agentId: 'support' });
      const posted = await say(t, alice, session.id, 'for whoever is still there', false);
      const claim = () =>
        fetch(url, { method: 'POST', headers, body: '{"waitMs":0}' }).then((res) => res.json() as Promise<Json>);
      const claimed = await eventually(claim, (body) => body.claims.length > 0, 3_000);
      expect(claimed.claims[0]).toMatchObject({ attempt: 1, task: { id: posted.body.task.id } });

      const started = Date.now();
      const waiting = fetch(url, { method: 'POST', headers, body: '{"waitMs":30000}' }).then(async (res) => ({
        status: res.status,
        body: await res.json(),
      }));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const closing = t.close();
      closed = true;
      expect(await waiting).toEqual({ status: 200, body: { claims: [] } });
      expect(Date.now() - started).toBeLessThan(5_000);
      await closing;
    } finally {
      if (!closed) await t.close();
    }
  });
});
