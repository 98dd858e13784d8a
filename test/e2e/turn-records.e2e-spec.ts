import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auth, createSession, eventually, say } from '../helpers/factories.js';
import type { AuthContext } from '../../src/identity/auth/auth-context.js';
import { TasksService } from '../../src/conversation/tasks.service.js';
import type { TurnStep } from '../../src/conversation/records/turn-step.record.js';
import { FakeAgentServer, json, sse } from '../helpers/fake-agent-server.js';
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
}

const text = (value: string) => [{ kind: 'text', text: value }];

describe('agent turns as complete records', () => {
  const fake = new FakeAgentServer();
  let t: TestApp;
  let alice: string;

  const events = async (sessionId: string): Promise<Ev[]> =>
    (await t.http().get(`/v1/sessions/${sessionId}/events`).set(auth(alice))).body.data;
  const verify = async (sessionId: string) =>
    (await t.http().get(`/v1/sessions/${sessionId}/verify`).set(auth(alice))).body;

  beforeAll(async () => {
    await fake.start();
    fake
      .route('/tools', (_req, res) =>
        json(res, 200, {
          parts: text('It is sunny in Paris.'),
          steps: [
            { kind: 'message', parts: text('Let me check the weather.') },
            { kind: 'tool_call', callId: 'c1', name: 'weather', arguments: { city: 'Paris' } },
            { kind: 'tool_result', callId: 'c1', output: text('sunny, 21 degrees') },
            { kind: 'tool_call', callId: 'c2', name: 'forecast', arguments: ['Paris', 3] },
            { kind: 'tool_result', callId: 'c2', output: text('rain tomorrow'), isError: true },
          ],
          statePatch: { city: 'Paris', old: null },
          artifacts: [{ artifactId: 'a1', name: 'report', description: 'the weather', parts: text('sunny') }],
        }),
      )
      .route('/bad-step', (_req, res) =>
        json(res, 200, { parts: text('x'), steps: [{ kind: 'tool_call', callId: 'c1' }] }),
      )
      .route('/bad-patch', (_req, res) => json(res, 200, { parts: text('x'), statePatch: [1] }))
      .route('/live', (_req, res) =>
        sse(res, [
          { event: 'step', data: { kind: 'tool_call', callId: 'k', name: 'lookup', arguments: 'q' } },
          { event: 'step', data: { kind: 'tool_result', callId: 'k', output: text('found it') } },
          { event: 'artifact', data: { artifactId: 'live-1', name: 'notes', parts: text('n') } },
          { event: 'result', data: { parts: text('done') } },
        ]),
      );
    const dir = mkdtempSync(join(tmpdir(), 'agents-'));
    const file = join(dir, 'agents.json');
    const http = (id: string, path: string, extra = {}) => ({ id, kind: 'http', url: `${fake.url}${path}`, ...extra });
    writeFileSync(
      file,
      JSON.stringify({
        agents: [
          { id: 'echo', kind: 'echo' },
          http('tools', '/tools'),
          http('bad-step', '/bad-step'),
          http('bad-patch', '/bad-patch'),
          http('live', '/live', { streaming: true }),
        ],
      }),
    );
    t = await startTestApp({ env: { AGENTS_FILE: file } });
    alice = await t.token('alice');
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });

  it('echo /tool stores the call and its result, linked to the task and each other, with the attempt', async () => {
    const session = await createSession(t, alice);
    const res = await say(t, alice, session.id, '/tool search {"q":"cats","n":2}');
    expect(res.status).toBe(201);
    const [trigger, call, result, answer] = await events(session.id);
    expect(call).toMatchObject({
      type: 'tool_call',
      role: 'agent',
      taskId: trigger.taskId,
      parentId: trigger.id,
      parts: [{ kind: 'data', data: { name: 'search', arguments: { q: 'cats', n: 2 } } }],
      metadata: { name: 'search', attempt: 1 },
    });
    expect(result).toMatchObject({
      type: 'tool_result',
      role: 'tool',
      taskId: trigger.taskId,
      parentId: call.id,
      parts: [{ kind: 'text', text: '{"q":"cats","n":2}' }],
      metadata: { callId: call.metadata.callId, attempt: 1 },
    });
    expect(answer).toMatchObject({ type: 'message', role: 'agent', parentId: null, taskId: trigger.taskId });
    expect(trigger.parentId).toBeNull();
    const task = (await t.http().get(`/v1/tasks/${trigger.taskId}`).set(auth(alice))).body;
    expect(task).toMatchObject({ status: 'completed', responseEventId: answer.id, artifacts: [] });
    expect(await verify(session.id)).toMatchObject({ valid: true, checked: 4 });
    const admin = await t.token('ada', 'admin');
    const metrics = (await t.http().get('/metrics').set(auth(admin))).text;
    expect(metrics).toMatch(/agent_steps_total\{agent="echo",kind="tool_call",outcome="stored"\} [1-9]/);
  });

  it('echo /set patches the state (replayed by state?at=) and /artifact shows on the task', async () => {
    const session = await createSession(t, alice, { state: { a: 1 } });
    await say(t, alice, session.id, '/set color=blue');
    const all = await events(session.id);
    const state = all.find((e) => e.type === 'state' && e.role === 'agent')!;
    expect(state.parts[0].data).toEqual({ patch: { color: 'blue' }, state: { a: 1, color: 'blue' } });
    const at = async (seq: number) =>
      (await t.http().get(`/v1/sessions/${session.id}/state?at=${seq}`).set(auth(alice))).body;
    expect(await at(state.seq - 1)).toMatchObject({ state: { a: 1 } });
    expect(await at(state.seq)).toMatchObject({ state: { a: 1, color: 'blue' } });
    const current = (await t.http().get(`/v1/sessions/${session.id}`).set(auth(alice))).body;
    expect(current.state).toEqual({ a: 1, color: 'blue' });

    const reply = await say(t, alice, session.id, '/artifact summary All good here.');
    const task = (
      await t
        .http()
        .get(`/v1/tasks/${reply.body.task?.id ?? reply.body.taskId}`)
        .set(auth(alice))
    ).body;
    expect(task.artifacts).toEqual([
      expect.objectContaining({ name: 'summary', parts: text('All good here.'), artifactId: expect.any(String) }),
    ]);
    expect(await verify(session.id)).toMatchObject({ valid: true });
  });

  it('an http agent reply with steps, statePatch and artifacts is stored in order before its one answer', async () => {
    const session = await createSession(t, alice, { agentId: 'tools', state: { old: true } });
    expect((await say(t, alice, session.id, 'weather?')).status).toBe(201);
    const all = await events(session.id);
    expect(all.map((e) => `${e.type}/${e.role}`)).toEqual([
      'state/system',
      'message/user',
      'message/agent',
      'tool_call/agent',
      'tool_result/tool',
      'tool_call/agent',
      'tool_result/tool',
      'artifact/agent',
      'state/agent',
      'message/agent',
    ]);
    const [, trigger, message, call1, result1, call2, result2, , state, answer] = all;
    expect(message).toMatchObject({
      parentId: trigger.id,
      metadata: { attempt: 1 },
      parts: text('Let me check the weather.'),
    });
    expect(call1).toMatchObject({ parentId: message.id, metadata: { callId: 'c1', name: 'weather', attempt: 1 } });
    expect(result1).toMatchObject({ parentId: call1.id, parts: text('sunny, 21 degrees') });
    expect(call2).toMatchObject({ parentId: message.id, parts: [{ data: { arguments: ['Paris', 3] } }] });
    expect(result2).toMatchObject({ parentId: call2.id, metadata: { callId: 'c2', isError: true } });
    expect(state.parts[0].data).toEqual({ patch: { city: 'Paris', old: null }, state: { city: 'Paris' } });
    expect(answer).toMatchObject({ parentId: null, parts: text('It is sunny in Paris.') });
    const task = (await t.http().get(`/v1/tasks/${trigger.taskId}`).set(auth(alice))).body;
    expect(task).toMatchObject({ status: 'completed', responseEventId: answer.id });
    expect(task.artifacts).toEqual([
      expect.objectContaining({ artifactId: 'a1', name: 'report', description: 'the weather', parts: text('sunny') }),
    ]);
    const session2 = (await t.http().get(`/v1/sessions/${session.id}`).set(auth(alice))).body;
    expect(session2).toMatchObject({ state: { city: 'Paris' }, status: 'active' });
    expect(await verify(session.id)).toMatchObject({ valid: true, checked: 10 });
    const reviewer = await t.token('rita', 'reviewer');
    const found = await t.http().get('/v1/review/sessions?q=degrees').set(auth(reviewer));
    expect(found.body.data).toEqual([
      expect.objectContaining({ id: session.id, match: expect.objectContaining({ seq: 5 }) }),
    ]);
  });

  it('a streaming http agent reports steps and artifacts live', async () => {
    const session = await createSession(t, alice, { agentId: 'live' });
    expect((await say(t, alice, session.id, 'go')).status).toBe(201);
    const all = await events(session.id);
    expect(all.map((e) => e.type)).toEqual(['message', 'tool_call', 'tool_result', 'artifact', 'message']);
    expect(all[2].parentId).toBe(all[1].id);
    const task = (await t.http().get(`/v1/tasks/${all[0].taskId}`).set(auth(alice))).body;
    expect(task.artifacts).toEqual([expect.objectContaining({ artifactId: 'live-1', name: 'notes' })]);
  });

  it('a malformed step or state patch fails the task with a clear reason and stores nothing of it', async () => {
    for (const [agentId, reason] of [
      ['bad-step', /steps\[0\]/],
      ['bad-patch', /statePatch/],
    ] as const) {
      const session = await createSession(t, alice, { agentId });
      await say(t, alice, session.id, 'hi');
      const all = await events(session.id);
      expect(all.map((e) => e.type)).toEqual(['message', 'error']);
      const task = (await t.http().get(`/v1/tasks/${all[0].taskId}`).set(auth(alice))).body;
      expect(task.status).toBe('failed');
      expect(task.error).toMatch(reason);
    }
  });

  it('the SQL chain check and the event_canonical form cover parent_id', async () => {
    const session = await createSession(t, alice);
    await say(t, alice, session.id, '/tool a {}');
    const [row] = await sql<{ canonical: string }>(
      t.db.url,
      `SELECT event_canonical(id, session_id, seq, type, role, parts, task_id, metadata, model, prompt_tokens,
         completion_tokens, cost_usd, created_at, parent_id) AS canonical
       FROM events WHERE session_id = $1 AND type = 'tool_result'`,
      [session.id],
    );
    expect(JSON.parse(row.canonical)).toHaveProperty('parentId');
    await sql(
      t.db.url,
      `BEGIN;
       ALTER TABLE events DISABLE TRIGGER events_append_only_row;
       UPDATE events SET parent_id = NULL WHERE session_id = '${session.id}' AND type = 'tool_result';
       ALTER TABLE events ENABLE TRIGGER events_append_only_row;
       COMMIT;`,
    );
    expect(await verify(session.id)).toMatchObject({ valid: false, firstBrokenSeq: 3 });
  });
});

describe('steps and the lease', () => {
  let t: TestApp;
  let alice: string;

  beforeAll(async () => {
    t = await startTestApp();
    alice = await t.token('alice');
  });
  afterAll(() => t.close());

  it("refuses a step from a worker that does not hold the task's lease, and stores the holder's", async () => {
    const session = await createSession(t, alice);
    await say(t, alice, session.id, '/sleep 3000 slow', false);
    const [lease] = await eventually(
      () =>
        sql<{ id: string; lease_owner: string | null }>(
          t.db.url,
          `SELECT id, lease_owner FROM tasks WHERE session_id = $1 AND status = 'working'`,
          [session.id],
        ),
      (rows) => rows.length === 1 && rows[0].lease_owner !== null,
    );
    const tasks = t.app.get(TasksService);
    const admin: AuthContext = { tokenId: 'test', userId: 'alice', role: 'admin' };
    const task = await tasks.get(admin, lease.id);
    const step: TurnStep = { kind: 'message', parts: [{ kind: 'text', text: 'thinking' }] };
    expect(await tasks.recordStep(task, 'another-worker', step)).toBeUndefined();
    const stored = await tasks.recordStep(task, lease.lease_owner!, step);
    expect(stored).toMatchObject({ type: 'message', role: 'agent', parentId: task.triggerEventId });
    expect((await t.http().post(`/v1/tasks/${task.id}/cancel`).set(auth(alice))).status).toBe(200);
    expect(await tasks.recordStep(task, lease.lease_owner!, step)).toBeUndefined();
    const types = (await t.http().get(`/v1/sessions/${session.id}/events`).set(auth(alice))).body.data.map(
      (e: Ev) => e.type,
    );
    expect(types.filter((type: string) => type === 'message')).toHaveLength(2);
  });
});

describe('steps across a crash', () => {
  it("keeps the steps a crashed run stored; the retry's steps follow with the next attempt number", async () => {
    const t = await startTestApp({ env: { WORKER_ENABLED: 'false' } });
    try {
      const alice = await t.token('alice');
      const session = await createSession(t, alice);
      const posted = await say(t, alice, session.id, '/tool calc {"x":1}', false);
      const taskId = posted.body.task.id as string;
      await sql(
        t.db.url,
        `UPDATE tasks SET status = 'working', attempts = 1, lease_owner = 'dead-host:1:abcd',
           lease_expires_at = now() + interval '1 minute', started_at = now() WHERE id = $1`,
        [taskId],
      );
      const tasks = t.app.get(TasksService);
      const task = await tasks.get({ tokenId: 'test', userId: 'alice', role: 'admin' }, taskId);
      const step: TurnStep = { kind: 'tool_call', callId: 'first-run', name: 'calc', arguments: { x: 1 } };
      expect(await tasks.recordStep(task, 'dead-host:1:abcd', step)).toMatchObject({ metadata: { attempt: 1 } });
      // The worker dies here: its lease runs out and another worker retries the task.
      await sql(t.db.url, `UPDATE tasks SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [taskId]);
      await t.app.close();
      const revived = await startTestApp({ db: t.db, env: { TASK_LEASE_MS: '1000' } });
      try {
        await eventually(
          async () => (await revived.http().get(`/v1/tasks/${taskId}`).set(auth(alice))).body,
          (body) => body.status === 'completed',
        );
        const all: Ev[] = (await revived.http().get(`/v1/sessions/${session.id}/events`).set(auth(alice))).body.data;
        expect(all.map((e) => [e.type, e.metadata.attempt ?? null])).toEqual([
          ['message', null],
          ['tool_call', 1],
          ['tool_call', 2],
          ['tool_result', 2],
          ['message', null],
        ]);
        expect(all[3].parentId).toBe(all[2].id);
        expect(all[2].parentId).toBe(all[0].id);
        const verified = await revived.http().get(`/v1/sessions/${session.id}/verify`).set(auth(alice));
        expect(verified.body).toMatchObject({ valid: true, checked: 5 });
      } finally {
        await revived.close();
      }
    } finally {
      await t.db.drop();
    }
  });
});
