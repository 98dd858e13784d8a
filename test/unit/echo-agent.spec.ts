import { randomUUID } from 'node:crypto';
import { AgentError, type AgentStep, type AgentTurn } from '../../src/runtime/agents/agent.interface.js';
import { EchoAgent } from '../../src/runtime/agents/echo.agent.js';
import type { EventRecord, EventRole, EventType, Part } from '../../src/conversation/records/event.record.js';

const SESSION_ID = randomUUID();
let seq = 0;

function event(text: string, role: EventRole = 'user', type: EventType = 'message', parts?: Part[]): EventRecord {
  seq += 1;
  return {
    id: randomUUID(),
    sessionId: SESSION_ID,
    seq,
    type,
    role,
    parts: parts ?? [{ kind: 'text', text }],
    taskId: null,
    parentId: null,
    metadata: {},
    usage: null,
    createdAt: new Date(Date.UTC(2024, 0, 1, 0, 0, seq)),
    hash: `hash-${seq}`,
  };
}

function turn(text: string, overrides: Partial<AgentTurn> = {}): AgentTurn {
  return {
    session: { id: SESSION_ID, userId: 'user-1', agentId: 'echo', state: {}, metadata: {} },
    history: [],
    event: event(text),
    turn: 1,
    signal: new AbortController().signal,
    ...overrides,
  };
}

function replyText(parts: Part[]): string {
  expect(parts).toHaveLength(1);
  const [part] = parts;
  if (part.kind !== 'text') throw new Error(`expected a text part, got ${part.kind}`);
  return part.text;
}

describe('EchoAgent', () => {
  const agent = new EchoAgent();

  it('describes itself', () => {
    expect(agent.descriptor).toMatchObject({ id: 'echo', kind: 'echo', streaming: true });
    expect(new EchoAgent('custom', 'Custom').descriptor).toMatchObject({ id: 'custom', name: 'Custom', kind: 'echo' });
  });

  it('echoes the first turn', async () => {
    const reply = await agent.run(turn('hello there'));
    const text = replyText(reply.parts);
    expect(text).toContain('turn 1');
    expect(text).toContain('hello there');
    expect(text).toContain('This is your first message.');
    expect(reply.status).toBeUndefined();
    expect(reply.usage).toEqual({ promptTokens: 2, completionTokens: countWords(text), model: 'echo' });
  });

  it('quotes the most recent previous user message from the history', async () => {
    const history = [
      event('first question'),
      event('an answer', 'agent'),
      event('second question'),
      event('the reply', 'agent'),
      event('{"status":"x"}', 'user', 'state'),
    ];
    const text = replyText((await agent.run(turn('third', { history, turn: 3 }))).parts);
    expect(text).toContain('turn 3');
    expect(text).toContain('Before that you said: "second question".');
    expect(text).not.toContain('This is your first message.');
    expect(text).not.toContain('first question');
  });

  it('ignores agent messages when looking for what the user said', async () => {
    const text = replyText((await agent.run(turn('hi', { history: [event('agent text', 'agent')] }))).parts);
    expect(text).toContain('This is your first message.');
  });

  it('reads only the text parts of the event', async () => {
    const e = event('', 'user', 'message', [
      { kind: 'data', data: { ignored: true } },
      { kind: 'text', text: 'visible' },
    ]);
    const text = replyText((await agent.run(turn('', { event: e }))).parts);
    expect(text).toContain('visible');
    expect(text).not.toContain('ignored');
  });

  it('streams the reply as deltas that add up to it', async () => {
    const deltas: string[] = [];
    const reply = await agent.run(turn('one two three', { onDelta: (d) => deltas.push(d) }));
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(replyText(reply.parts));
  });

  it('/fail rejects with an AgentError carrying the reason', async () => {
    const run = agent.run(turn('/fail reason'));
    await expect(run).rejects.toBeInstanceOf(AgentError);
    await expect(agent.run(turn('/fail reason'))).rejects.toThrow(/^reason$/);
    await expect(agent.run(turn('/fail'))).rejects.toThrow('the echo agent was asked to fail');
  });

  it('/fail errors are not transient', async () => {
    const error = await agent.run(turn('/fail nope')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentError);
    expect((error as AgentError).transient).toBe(false);
  });

  it('/ask returns the question with status input_required', async () => {
    const reply = await agent.run(turn('/ask what is your name?'));
    expect(reply.status).toBe('input_required');
    expect(reply.parts).toEqual([{ kind: 'text', text: 'what is your name?' }]);
    const fallback = await agent.run(turn('/ask'));
    expect(fallback.parts).toEqual([{ kind: 'text', text: 'Could you tell me more?' }]);
  });

  it('/sleep waits and then replies with the rest of the text', async () => {
    const started = Date.now();
    const reply = await agent.run(turn('/sleep 10 hi'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(5);
    const text = replyText(reply.parts);
    expect(text).toBe('Echo (turn 1): hi\nThis is your first message.');
    expect(text).not.toContain('/sleep');
  });

  it('an aborted signal aborts a long /sleep', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const run = agent.run(turn('/sleep 5000', { signal: controller.signal }));
    setTimeout(() => controller.abort(), 10);
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('an already aborted signal rejects at once', async () => {
    await expect(agent.run(turn('/sleep 5000', { signal: AbortSignal.abort() }))).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('/tool reports the call and its result through onStep as they happen, or returns them as steps', async () => {
    const reported: AgentStep[] = [];
    const reply = await agent.run(turn('/tool search {"q":"cats"}', { onStep: async (s) => void reported.push(s) }));
    expect(reported).toEqual([
      { kind: 'tool_call', callId: expect.any(String), name: 'search', arguments: { q: 'cats' } },
      {
        kind: 'tool_result',
        callId: reported[0].kind === 'tool_call' ? reported[0].callId : '',
        output: [{ kind: 'text', text: '{"q":"cats"}' }],
        isError: false,
      },
    ]);
    expect(reply.steps).toBeUndefined();
    const returned = await agent.run(turn('/tool boom {"fail":true}'));
    expect(returned.steps?.map((s) => s.kind)).toEqual(['tool_call', 'tool_result']);
    expect(returned.steps?.[1]).toMatchObject({ isError: true });
    await expect(agent.run(turn('/tool bad {not json'))).rejects.toThrow(/usage: \/tool/);
  });

  it('/set patches the state and /artifact delivers an artifact', async () => {
    expect((await agent.run(turn('/set color=dark blue'))).statePatch).toEqual({ color: 'dark blue' });
    await expect(agent.run(turn('/set color'))).rejects.toThrow(/usage: \/set/);
    const reply = await agent.run(turn('/artifact notes Remember the milk'));
    expect(reply.artifacts).toEqual([
      { artifactId: expect.any(String), name: 'notes', parts: [{ kind: 'text', text: 'Remember the milk' }] },
    ]);
  });

  it('does not treat a word that merely starts with a command as one', async () => {
    const reply = await agent.run(turn('/failure is not an option'));
    expect(replyText(reply.parts)).toContain('/failure is not an option');
  });
});

function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

describe('EchoAgent with sleepMs', () => {
  it('answers every message that late, as /sleep does', async () => {
    const started = Date.now();
    const reply = await new EchoAgent('slow', 'Slow', 'slow echo', 150).run(turn('hello'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(reply.parts).toEqual([{ kind: 'text', text: 'Echo (turn 1): hello\nThis is your first message.' }]);
  });
});
