import { randomUUID } from 'node:crypto';
import { AgentError, type Agent, type AgentReply, type AgentTurn } from '../../src/runtime/agents/agent.interface.js';
import { createA2aAgent } from '../../src/runtime/agents/a2a.agent.js';
import type { EventRecord, Part } from '../../src/conversation/records/event.record.js';
import { auth, eventually } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/** A conversation as the worker would drive it: one session, turns numbered from 1. */
function conversation() {
  const session: AgentTurn['session'] = {
    id: randomUUID(),
    userId: 'local-user',
    agentId: 'remote',
    state: {},
    metadata: {},
  };
  let turn = 0;
  return (text: string, options: { signal?: AbortSignal; deltas?: string[] } = {}): AgentTurn => {
    const parts: Part[] = [{ kind: 'text', text }];
    const event: EventRecord = {
      id: randomUUID(),
      sessionId: session.id,
      seq: 2 * turn + 1,
      type: 'message',
      role: 'user',
      parts,
      taskId: randomUUID(),
      parentId: null,
      metadata: {},
      usage: null,
      createdAt: new Date(),
      hash: '00',
    };
    turn += 1;
    const deltas = options.deltas;
    return {
      session,
      history: [],
      event,
      turn,
      signal: options.signal ?? new AbortController().signal,
      onDelta: deltas && ((d) => deltas.push(d)),
    };
  };
}

/** Runs a turn as the worker does: the agent context a reply (or failure) asks for is given back next turn. */
async function run(agent: Agent, turn: AgentTurn): Promise<AgentReply> {
  try {
    const reply = await agent.run(turn);
    if (reply.agentContext) turn.session.agentContext = reply.agentContext;
    return reply;
  } catch (error) {
    if (error instanceof AgentError && error.agentContext) turn.session.agentContext = error.agentContext;
    throw error;
  }
}

const textOf = (parts: Part[]) => parts.map((p) => (p.kind === 'text' ? p.text : '')).join('');

describe('the a2a agent kind: createA2aAgent against another running instance', () => {
  let remote: TestApp;
  let token: string;

  beforeAll(async () => {
    remote = await startTestApp();
    token = await remote.token('svc');
  });
  afterAll(() => remote.close());

  it('streams turns to the remote agent, relays its text as deltas and keeps one remote context per session', async () => {
    const agent = createA2aAgent(
      { id: 'remote', name: 'Remote echo', url: `${remote.baseUrl}/a2a/echo`, token },
      { timeoutMs: 10_000 },
    );
    expect(agent.descriptor).toMatchObject({ id: 'remote', kind: 'a2a', name: 'Remote echo', streaming: true });
    const say = conversation();
    const deltas: string[] = [];
    const first = await run(agent, say('hello', { deltas }));
    expect(first.status).toBe('completed');
    expect(textOf(first.parts)).toBe('Echo (turn 1): hello\nThis is your first message.');
    expect(deltas.join('')).toBe(textOf(first.parts));
    expect(first.agentContext).toEqual({ contextId: expect.any(String) });
    const second = await run(agent, say('again'));
    expect(textOf(second.parts)).toBe('Echo (turn 2): again\nBefore that you said: "hello".');
    const other = await run(agent, conversation()('elsewhere'));
    expect(textOf(other.parts)).toBe('Echo (turn 1): elsewhere\nThis is your first message.');
    const sessions = await remote.http().get('/v1/sessions?agentId=echo').set(auth(token));
    expect(sessions.body.data.map((s: { turnCount: number }) => s.turnCount).sort()).toEqual([1, 2]);
  });

  it("returns the remote task's artifacts as the task's artifacts, and its answer as the answer", async () => {
    const agent = createA2aAgent({ id: 'remote', url: `${remote.baseUrl}/a2a/echo`, token }, { timeoutMs: 10_000 });
    const reply = await run(agent, conversation()('/artifact notes all in order'));
    expect(reply.artifacts).toEqual([
      { artifactId: expect.any(String), name: 'notes', parts: [{ kind: 'text', text: 'all in order' }] },
    ]);
    expect(textOf(reply.parts)).not.toBe('all in order');
  });

  it('maps input-required and continues the remote task with the next message', async () => {
    const agent = createA2aAgent({ id: 'remote', url: `${remote.baseUrl}/a2a/echo`, token }, { timeoutMs: 10_000 });
    const say = conversation();
    const asked = await run(agent, say('/ask Your name?'));
    expect(asked).toMatchObject({ status: 'input_required', parts: [{ kind: 'text', text: 'Your name?' }] });
    const answered = await run(agent, say('Ada'));
    expect(answered.status).toBe('completed');
    expect(textOf(answered.parts)).toBe('Echo (turn 2): Ada\nBefore that you said: "/ask Your name?".');
    const [session] = (await remote.http().get('/v1/sessions?agentId=echo&limit=1').set(auth(token))).body.data;
    const events = (await remote.http().get(`/v1/sessions/${session.id}/events`).set(auth(token))).body.data;
    expect(new Set(events.map((e: { taskId: string }) => e.taskId)).size).toBe(1);
  });

  it('also sends without streaming, from the card URL, over HTTP+JSON', async () => {
    const url = `${remote.baseUrl}/a2a/echo/.well-known/agent-card.json`;
    const agent = createA2aAgent(
      { id: 'remote', url, token, streaming: false, transport: 'HTTP+JSON' },
      { timeoutMs: 10_000 },
    );
    const deltas: string[] = [];
    const reply = await run(agent, conversation()('plain', { deltas }));
    expect(textOf(reply.parts)).toBe('Echo (turn 1): plain\nThis is your first message.');
    expect(deltas).toEqual([]);
  });

  it('takes a bare JSON-RPC endpoint when there is no agent card at the URL', async () => {
    const agent = createA2aAgent(
      { id: 'remote', url: `${remote.baseUrl}/a2a/echo/jsonrpc`, token },
      { timeoutMs: 10_000 },
    );
    const deltas: string[] = [];
    const reply = await run(agent, conversation()('direct', { deltas }));
    expect(textOf(reply.parts)).toBe('Echo (turn 1): direct\nThis is your first message.');
    expect(deltas.join('')).toBe(textOf(reply.parts));
  });

  it('turns remote failures into agent errors: failed tasks, refused tokens and unreachable servers', async () => {
    const agent = createA2aAgent({ id: 'remote', url: `${remote.baseUrl}/a2a/echo`, token }, { timeoutMs: 10_000 });
    const failed = run(agent, conversation()('/fail the remote broke'));
    await expect(failed).rejects.toThrow(AgentError);
    await expect(failed).rejects.toMatchObject({
      message: expect.stringContaining('the remote broke'),
      transient: false,
    });
    const refused = createA2aAgent(
      { id: 'remote', url: `${remote.baseUrl}/a2a/echo`, token: 'ast_nope' },
      { timeoutMs: 10_000 },
    );
    await expect(refused.run(conversation()('hi'))).rejects.toMatchObject({ name: 'AgentError', transient: false });
    const down = createA2aAgent({ id: 'remote', url: 'http://127.0.0.1:9/a2a/echo' }, { timeoutMs: 2_000 });
    await expect(down.run(conversation()('hi'))).rejects.toMatchObject({ name: 'AgentError', transient: true });
  });

  it('cancels the remote task when the turn is aborted', async () => {
    const agent = createA2aAgent({ id: 'remote', url: `${remote.baseUrl}/a2a/echo`, token }, { timeoutMs: 10_000 });
    const controller = new AbortController();
    const running = run(agent, conversation()('/sleep 5000 too slow', { signal: controller.signal }));
    setTimeout(() => controller.abort(new Error('canceled locally')), 300);
    await expect(running).rejects.toThrow();
    const [session] = (await remote.http().get('/v1/sessions?agentId=echo&limit=1').set(auth(token))).body.data;
    await eventually(
      async () => (await remote.http().get(`/v1/sessions/${session.id}/tasks`).set(auth(token))).body.data[0]?.status,
      (status) => status === 'canceled',
    );
  });
});
