import { AgentSessionClient } from '@agent-session/client';
import { AgentSessionServiceSession } from '@agent-session/openai-agents';
import { Agent, MemorySession, Runner, tool, type AgentInputItem, type Session } from '@openai/agents';
import { z } from 'zod';
import { assistant, ScriptedModel } from '../helpers/fake-openai-model.js';
import { buildPackages, runFixture } from '../helpers/packages.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { sql } from '../helpers/test-database.js';

/** Two runs: a tool call with reasoning, then a system message and a plain answer. */
function script() {
  return new ScriptedModel([
    [
      {
        type: 'reasoning',
        id: 'rs_1',
        content: [{ type: 'input_text', text: 'needs the weather tool' }],
        providerData: { encrypted: 'x1' },
      },
      {
        type: 'function_call',
        id: 'fc_1',
        callId: 'call_1',
        name: 'weather',
        arguments: '{"city":"Paris"}',
        status: 'completed',
      },
    ],
    [assistant('msg_1', 'It is sunny in Paris.')],
    [{ ...assistant('msg_2', 'You are welcome.'), providerData: { logprobs: [0.1] } }],
  ]);
}

async function converse(session: Session, model: ScriptedModel): Promise<string[]> {
  const weather = tool({
    name: 'weather',
    description: 'The weather in a city',
    parameters: z.object({ city: z.string() }),
    execute: async ({ city }) => `sunny in ${city}`,
  });
  const agent = new Agent({ name: 'assistant', instructions: 'Help with the weather.', tools: [weather], model });
  const runner = new Runner({ tracingDisabled: true, modelProvider: model });
  const first = await runner.run(agent, 'Weather in Paris?', { session });
  const input: AgentInputItem[] = [
    { type: 'message', role: 'system', content: 'Be brief.' },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Thanks!' }] },
  ];
  const second = await runner.run(agent, input, { session });
  return [String(first.finalOutput), String(second.finalOutput)];
}

describe('OpenAI Agents SDK session backed by the service', () => {
  let t: TestApp;
  let client: AgentSessionClient;
  let token: string;

  beforeAll(async () => {
    buildPackages();
    t = await startTestApp();
    token = await t.token('alice');
    client = new AgentSessionClient({ baseUrl: t.baseUrl, token });
    // A cold package build and the first load of the framework (transformed once) take a while.
  }, 120_000);
  afterAll(() => t.close());

  it('records a multi-turn run with a tool call, reads it back losslessly, and a second process resumes it', async () => {
    const sessionId = (await client.createSession({ agentId: 'echo', name: 'weather' })).id;
    const session = new AgentSessionServiceSession({ client, sessionId });
    const outputs = await converse(session, script());
    expect(outputs).toEqual(['It is sunny in Paris.', 'You are welcome.']);

    // The same conversation in the SDK's own memory session: the service gives back exactly the same items.
    const memory = new MemorySession();
    await converse(memory, script());
    const items = await session.getItems();
    expect(items).toEqual(await memory.getItems());
    expect(items.map((item) => item.type)).toEqual([
      'message',
      'reasoning',
      'function_call',
      'function_call_result',
      'message',
      'message',
      'message',
      'message',
    ]);
    expect(await session.getItems(2)).toEqual(items.slice(-2));

    // REST: three recorded turns (the system message before the user's makes a turn of its own), all completed.
    const tasks = (await client.listTasks(sessionId)).data;
    expect(tasks.map((task) => task.status)).toEqual(['completed', 'completed', 'completed']);
    const events = [];
    for await (const event of client.allEvents(sessionId)) events.push(event);
    expect(events.filter((e) => e.type === 'tool_call')).toHaveLength(1);
    expect(events.find((e) => e.type === 'tool_result')?.parts).toEqual([{ kind: 'text', text: 'sunny in Paris' }]);
    expect((await client.verify(sessionId)).valid).toBe(true);

    // SQL: an analyst sees the whole conversation, tool call included.
    const rows = await sql<{ type: string; role: string; text: string | null }>(
      t.db.url,
      `SELECT type, role, parts->0->>'text' AS text FROM events WHERE session_id = $1 ORDER BY seq`,
      [sessionId],
    );
    // null: the placeholder input of the turn that holds the system message sent before the user's
    expect(rows.filter((r) => r.role === 'user').map((r) => r.text)).toEqual(['Weather in Paris?', null, 'Thanks!']);
    expect(rows.some((r) => r.type === 'tool_call' && r.role === 'agent')).toBe(true);
    expect(rows.filter((r) => r.type === 'message' && r.role === 'agent').map((r) => r.text)).toEqual(
      expect.arrayContaining(['It is sunny in Paris.', 'You are welcome.', 'Be brief.']),
    );

    // A second process picks the session up and continues it with the whole history as model input.
    const resumed = await runFixture<{ output: string; inputItems: number; items: number }>(
      'openai-agents-resume.cjs',
      {
        BASE_URL: t.baseUrl,
        TOKEN: token,
        SESSION_ID: sessionId,
      },
    );
    expect(resumed).toEqual({ output: 'Tomorrow too.', inputItems: items.length + 1, items: items.length + 2 });
    expect((await client.listTasks(sessionId)).data).toHaveLength(4);
    expect((await client.verify(sessionId)).valid).toBe(true);
  });

  it('pops, compacts and clears through history events, leaving GET /events and the hash chain intact', async () => {
    const create = { agentId: 'echo' };
    const session = new AgentSessionServiceSession({ client, key: 'alice-weather', create });
    await converse(session, script());
    const sessionId = await session.getSessionId();
    const byKey = new AgentSessionServiceSession({ client, key: 'alice-weather', create });
    expect(await byKey.getSessionId()).toBe(sessionId);
    const before = await session.getItems();
    const eventCount = (await client.getSession(sessionId)).eventCount;

    const popped = await session.popItem();
    expect(popped).toEqual(before[before.length - 1]);
    expect(await session.getItems()).toEqual(before.slice(0, -1));

    const kept = before.slice(-3, -1);
    const marker = { type: 'compaction', encrypted_content: 'summary-1' } as AgentInputItem;
    await session.replaceHistoryWithCompaction([marker, ...kept]);
    expect(await session.getItems()).toEqual([marker, ...kept]);

    await session.clearSession();
    expect(await session.getItems()).toEqual([]);
    expect(await session.popItem()).toBeUndefined();

    const after = await client.getSession(sessionId);
    expect(after.eventCount).toBe(eventCount + 3); // the revert, the compaction and the reset, as events
    expect((await client.verify(sessionId)).valid).toBe(true);
  });
});
