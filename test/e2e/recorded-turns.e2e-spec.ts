import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auth, createSession, eventually, say, text } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { sql } from '../helpers/test-database.js';

interface Ev {
  id: string;
  seq: number;
  type: string;
  role: string;
  parts: { kind: string; text?: string; data?: Record<string, unknown> }[];
  taskId: string | null;
  parentId: string | null;
  metadata: Record<string, unknown>;
  usage: {
    promptTokens: number | null;
    completionTokens: number | null;
    model: string | null;
    costUsd: number | null;
  } | null;
}

const turn = (turnId: string, extra: Record<string, unknown> = {}) => ({
  turnId,
  input: { parts: text('What is the weather in Paris?'), metadata: { client: 'sdk' } },
  steps: [
    { kind: 'message', parts: text('Let me check.') },
    { kind: 'tool_call', callId: 'c1', name: 'weather', arguments: { city: 'Paris' }, metadata: { callId: 'x', k: 1 } },
    { kind: 'tool_result', callId: 'c1', output: text('sunny') },
  ],
  output: { parts: text('It is sunny.'), metadata: { taskStatus: 'forged', model: 'fake' } },
  usage: { promptTokens: 1000, completionTokens: 500, model: 'priced' },
  statePatch: { city: 'Paris' },
  artifacts: [{ artifactId: 'a1', name: 'report', parts: text('sunny') }],
  ...extra,
});

describe('turns recorded by the client', () => {
  let t: TestApp;
  let alice: string;
  let bob: string;

  const post = (token: string, sessionId: string, body: unknown) =>
    t
      .http()
      .post(`/v1/sessions/${sessionId}/turns`)
      .set(auth(token))
      .send(body as object);
  const events = async (sessionId: string): Promise<Ev[]> =>
    (await t.http().get(`/v1/sessions/${sessionId}/events?limit=200`).set(auth(alice)).expect(200)).body.data;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agents-'));
    const file = join(dir, 'agents.json');
    writeFileSync(
      file,
      JSON.stringify({
        agents: [
          { id: 'echo', kind: 'echo' },
          { id: 'client', kind: 'echo' },
        ],
      }),
    );
    t = await startTestApp({
      env: { AGENTS_FILE: file, MODEL_PRICES: JSON.stringify({ priced: { prompt: 2, completion: 4 } }) },
    });
    [alice, bob] = await Promise.all([t.token('alice'), t.token('bob')]);
  });
  afterAll(() => t.close());

  it('stores the trigger, the steps with their links, the state, the artifacts and the answer in one settled task', async () => {
    const { id } = await createSession(t, alice, { agentId: 'client' });
    const res = await post(alice, id, turn('t-1')).expect(201);
    const { task, events: stored } = res.body as { task: Record<string, unknown>; events: Ev[] };
    expect(stored.map((e) => [e.type, e.role])).toEqual([
      ['message', 'user'],
      ['message', 'agent'],
      ['tool_call', 'agent'],
      ['tool_result', 'tool'],
      ['artifact', 'agent'],
      ['state', 'agent'],
      ['message', 'agent'],
    ]);
    expect(stored.map((e) => e.seq)).toEqual(stored.map((_e, i) => stored[0].seq + i));
    const [trigger, thought, call, result, , state, answer] = stored;
    expect(stored.every((e) => e.taskId === task.id)).toBe(true);
    expect(trigger.metadata).toEqual({ client: 'sdk' });
    expect(thought.parentId).toBe(trigger.id);
    expect(call.parentId).toBe(thought.id);
    expect(result.parentId).toBe(call.id);
    expect(call.metadata).toEqual({ callId: 'c1', name: 'weather', attempt: 1, k: 1 });
    expect(state.parts[0].data).toEqual({ patch: { city: 'Paris' }, state: { city: 'Paris' } });
    expect(answer.parentId).toBeNull();
    expect(answer.metadata).toEqual({ taskStatus: 'completed', model: 'fake' });
    expect(answer.usage).toEqual({ promptTokens: 1000, completionTokens: 500, model: 'priced', costUsd: 0.004 });
    expect(task).toMatchObject({
      status: 'completed',
      triggerEventId: trigger.id,
      responseEventId: answer.id,
      attempts: 1,
      turn: 1,
    });
    expect(await events(id)).toEqual(stored);
    const session = (await t.http().get(`/v1/sessions/${id}`).set(auth(alice)).expect(200)).body;
    expect(session).toMatchObject({ state: { city: 'Paris' }, turnCount: 1, status: 'active' });
    expect(session.usage).toMatchObject({ promptTokens: 1000, completionTokens: 500, costUsd: 0.004 });
    const verify = await t.http().get(`/v1/sessions/${id}/verify`).set(auth(alice)).expect(200);
    expect(verify.body.valid).toBe(true);
    const [row] = await sql<{ turn_id: string; lease_owner: string | null; status: string }>(
      t.db.url,
      'SELECT turn_id, lease_owner, status FROM tasks WHERE id = $1',
      [task.id],
    );
    expect(row).toEqual({ turn_id: 't-1', lease_owner: null, status: 'completed' });
  });

  it('is idempotent by turnId: the same body answers 200 with the original, another body 409', async () => {
    const { id } = await createSession(t, alice, { agentId: 'client' });
    const first = await post(alice, id, turn('same')).expect(201);
    const again = await post(alice, id, turn('same')).expect(200);
    expect(again.body).toEqual(first.body);
    const other = await post(alice, id, turn('same', { output: { parts: text('different') } })).expect(409);
    expect(other.body.code).toBe('turn/conflict');
    expect((await events(id)).length).toBe(first.body.events.length);
  });

  it('concurrent retries of one turn store it once; concurrent turns are serialized in one chain', async () => {
    const { id } = await createSession(t, alice, { agentId: 'client' });
    const retries = await Promise.all(Array.from({ length: 10 }, () => post(alice, id, turn('racing'))));
    expect(retries.filter((res) => res.status === 201)).toHaveLength(1);
    expect(retries.filter((res) => res.status === 200)).toHaveLength(9);
    expect(new Set(retries.map((res) => res.body.task.id)).size).toBe(1);
    const distinct = await Promise.all(Array.from({ length: 5 }, (_v, i) => post(alice, id, turn(`p${i}`))));
    expect(distinct.map((res) => res.status)).toEqual([201, 201, 201, 201, 201]);
    const stored = await events(id);
    expect(stored.map((e) => e.seq)).toEqual(stored.map((_e, i) => i + 1));
    expect(stored.filter((e) => e.role === 'user')).toHaveLength(6);
    const verify = await t.http().get(`/v1/sessions/${id}/verify`).set(auth(alice)).expect(200);
    expect(verify.body.valid).toBe(true);
  });

  it('refuses a turn while a hosted task is queued or running (session/busy)', async () => {
    const { id } = await createSession(t, alice, { agentId: 'echo' });
    expect((await say(t, alice, id, '/sleep 1500 slow', false)).status).toBe(202);
    const busy = await post(alice, id, turn('while-busy')).expect(409);
    expect(busy.body.code).toBe('session/busy');
    await eventually(
      async () => (await t.http().get(`/v1/sessions/${id}/tasks`).set(auth(alice))).body.data[0].status,
      (status) => status === 'completed',
    );
    await post(alice, id, turn('after')).expect(201);
  });

  it("hides other users' sessions (404) and refuses closed sessions like a posted event", async () => {
    const { id } = await createSession(t, alice, { agentId: 'client' });
    expect((await post(bob, id, turn('x')).expect(404)).body.code).toBe('session/not_found');
    await post(bob, randomUUID(), turn('x')).expect(404);
    await t.http().delete(`/v1/sessions/${id}`).set(auth(alice)).expect(204);
    expect((await post(alice, id, turn('x')).expect(409)).body.code).toBe('session/not_writable');
  });

  it('records a question (input_required) and the next turn answers it with its own task', async () => {
    const { id } = await createSession(t, alice, { agentId: 'client' });
    const asked = await post(alice, id, {
      turnId: 'q',
      input: { parts: text('Book a table') },
      output: { parts: text('For how many?'), status: 'input_required' },
    }).expect(201);
    expect(asked.body.task.status).toBe('input_required');
    expect((await t.http().get(`/v1/sessions/${id}`).set(auth(alice))).body.status).toBe('input_required');
    const answered = await post(alice, id, {
      turnId: 'a',
      input: { parts: text('Two') },
      output: { parts: text('Booked.') },
      endSession: true,
    }).expect(201);
    expect(answered.body.task.status).toBe('completed');
    const first = (await t.http().get(`/v1/tasks/${asked.body.task.id}`).set(auth(alice))).body;
    expect(first.status).toBe('canceled');
    expect(first.responseEventId).toBe(asked.body.task.responseEventId);
    expect((await t.http().get(`/v1/sessions/${id}`).set(auth(alice))).body.status).toBe('completed');
  });

  it('refuses malformed turns with a 400 naming the field', async () => {
    const { id } = await createSession(t, alice, { agentId: 'client' });
    const cases: [unknown, RegExp][] = [
      [{ turnId: 'b', input: { parts: [] }, output: { parts: text('x') } }, /input.parts/],
      [{ turnId: 'b', input: { parts: text('x') }, output: { parts: text('x'), status: 'failed' } }, /output.status/],
      [{ ...turn('b'), steps: [{ kind: 'tool_call', callId: 'c' }] }, /steps\[0\]/],
      [{ ...turn('b'), usage: { promptTokens: -1 } }, /usage/],
      [{ ...turn('b'), turnId: '' }, /turnId/],
    ];
    for (const [body, message] of cases) {
      const res = await post(alice, id, body).expect(400);
      expect(JSON.stringify(res.body)).toMatch(message);
    }
    expect(await events(id)).toEqual([]);
  });
  it('keeps the invariant: every user message has a task with one response, and no recorded task was run', async () => {
    const orphans = await sql<{ n: string }>(
      t.db.url,
      `SELECT count(*) AS n FROM events e
       WHERE e.role = 'user' AND e.type = 'message' AND NOT EXISTS (
         SELECT 1 FROM tasks t WHERE t.session_id = e.session_id AND t.id = e.task_id AND t.response_event_id IS NOT NULL)`,
    );
    expect(Number(orphans[0].n)).toBe(0);
    const recorded = await sql<{ n: string; ran: string }>(
      t.db.url,
      `SELECT count(*) AS n, count(*) FILTER (WHERE attempts <> 1 OR lease_owner IS NOT NULL) AS ran
       FROM tasks WHERE turn_id IS NOT NULL`,
    );
    expect(Number(recorded[0].n)).toBeGreaterThan(3);
    expect(Number(recorded[0].ran)).toBe(0);
  });
});
