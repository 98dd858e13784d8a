import { AgentSessionClient } from '@agent-session/client';
import { AgentSessionService } from '@agent-session/adk';
import { FunctionTool, LlmAgent, Runner, type Event } from '@google/adk';
import { z } from 'zod';
import { ScriptedLlm } from '../helpers/fake-adk-llm.js';
import { buildPackages, runFixture } from '../helpers/packages.js';
import { externalAgentsFile } from '../helpers/pull-agents.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { sql } from '../helpers/test-database.js';

const APP = 'weather';

function agent(llm: ScriptedLlm): LlmAgent {
  const weather = new FunctionTool({
    name: 'weather',
    description: 'The weather in a city',
    parameters: z.object({ city: z.string() }),
    execute: async ({ city }, context) => {
      context?.state.set('user:city', city);
      context?.state.set('app:lastCity', city);
      context?.state.set('temp:scratch', 'never stored');
      return { forecast: `sunny in ${city}` };
    },
  });
  return new LlmAgent({ name: 'assistant', model: llm, instruction: 'Help with the weather.', tools: [weather] });
}

async function run(runner: Runner, sessionId: string, text: string): Promise<Event[]> {
  const events: Event[] = [];
  const newMessage = { role: 'user', parts: [{ text }] };
  for await (const event of runner.runAsync({ userId: 'alice', sessionId, newMessage })) events.push(event);
  return events;
}

const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('ADK session service backed by the service', () => {
  let t: TestApp;
  let token: string;
  let service: AgentSessionService;
  let client: AgentSessionClient;

  beforeAll(async () => {
    buildPackages();
    t = await startTestApp({ env: { AGENTS_FILE: externalAgentsFile(APP) } });
    token = await t.token('alice');
    client = new AgentSessionClient({ baseUrl: t.baseUrl, token });
    const admin = new AgentSessionClient({ baseUrl: t.baseUrl, token: await t.token('ops', 'admin') });
    service = new AgentSessionService({ client, appStateClient: admin });
    // A cold package build and the first load of the framework (transformed once) take a while.
  }, 120_000);
  afterAll(() => t.close());

  it('records invocations with a tool call and scoped state, reads them back, and a second process resumes', async () => {
    const session = await service.createSession({
      appName: APP,
      userId: 'alice',
      state: { mode: 'demo', 'temp:x': 1 },
    });
    const llm = new ScriptedLlm([
      {
        content: {
          role: 'model',
          parts: [{ functionCall: { id: 'call-1', name: 'weather', args: { city: 'Paris' } } }],
        },
      },
      {
        content: { role: 'model', parts: [{ text: 'It is sunny in Paris.' }] },
        usageMetadata: { promptTokenCount: 12, candidatesTokenCount: 6 },
      },
      { content: { role: 'model', parts: [{ text: 'You are welcome.' }] } },
    ]);
    const runner = new Runner({ appName: APP, agent: agent(llm), sessionService: service });
    const first = await run(runner, session.id, 'Weather in Paris?');
    const second = await run(runner, session.id, 'Thanks!');
    expect(second[second.length - 1].content?.parts?.[0].text).toBe('You are welcome.');

    // ADK reads back every event it appended, as it appended it, and the merged state without temp: keys.
    const loaded = (await service.getSession({ appName: APP, userId: 'alice', sessionId: session.id }))!;
    expect(loaded.events.map((e) => e.author)).toEqual([
      'user',
      'assistant',
      'assistant',
      'assistant',
      'user',
      'assistant',
    ]);
    expect(json(loaded.events.slice(1, 4))).toEqual(json(first));
    expect(loaded.state).toEqual({ mode: 'demo', 'user:city': 'Paris', 'app:lastCity': 'Paris' });
    const recent = (await service.getSession({
      appName: APP,
      userId: 'alice',
      sessionId: session.id,
      config: { numRecentEvents: 2 },
    }))!;
    expect(recent.events.map((e) => e.id)).toEqual(loaded.events.slice(-2).map((e) => e.id));
    const after = loaded.events[4].timestamp;
    const later = (await service.getSession({
      appName: APP,
      userId: 'alice',
      sessionId: session.id,
      config: { afterTimestamp: after },
    }))!;
    expect(later.events.map((e) => e.id)).toEqual(loaded.events.slice(4).map((e) => e.id));

    // REST and SQL: two completed turns with the tool call and its result as steps, usage on the answer.
    const tasks = (await client.listTasks(session.id)).data;
    expect(tasks.map((task) => task.status)).toEqual(['completed', 'completed']);
    const rows = await sql<{ type: string; role: string; text: string | null; prompt_tokens: number | null }>(
      t.db.url,
      `SELECT type, role, parts->0->>'text' AS text, prompt_tokens FROM events WHERE session_id = $1 ORDER BY seq`,
      [session.id],
    );
    expect(rows.filter((r) => r.type === 'tool_call')).toHaveLength(1);
    expect(rows.filter((r) => r.type === 'tool_result')).toHaveLength(1);
    expect(rows.filter((r) => r.role === 'user').map((r) => r.text)).toEqual(['Weather in Paris?', 'Thanks!']);
    expect(rows.find((r) => r.text === 'It is sunny in Paris.')?.prompt_tokens).toBe(12);
    expect(await client.getState(session.id, { scopes: 'all' })).toEqual(loaded.state);
    expect((await client.verify(session.id)).valid).toBe(true);

    const listed = await service.listSessions({ appName: APP, userId: 'alice' });
    expect(listed.sessions.map((s) => s.id)).toContain(session.id);

    // A second process continues the conversation with the whole history as the model's input.
    const resumed = await runFixture<{ output: string; contents: number; events: number }>('adk-resume.cjs', {
      BASE_URL: t.baseUrl,
      TOKEN: token,
      SESSION_ID: session.id,
    });
    expect(resumed).toEqual({ output: 'Tomorrow too.', contents: 7, events: 8 });
    expect((await client.listTasks(session.id)).data).toHaveLength(3);

    await service.deleteSession({ appName: APP, userId: 'alice', sessionId: session.id });
    expect(await service.getSession({ appName: APP, userId: 'alice', sessionId: session.id })).toBeUndefined();
  });

  it('keeps sessions created with their own id under a key, per ADK user', async () => {
    const created = await service.createSession({ appName: APP, userId: 'alice', sessionId: 'chat-1' });
    expect(created.id).toBe('chat-1');
    const again = (await service.getSession({ appName: APP, userId: 'alice', sessionId: 'chat-1' }))!;
    expect(again).toMatchObject({ id: 'chat-1', appName: APP, userId: 'alice', events: [] });
    const { session } = await client.sessionByKey('adk:weather:chat-1', { agentId: APP });
    expect(session.metadata).toEqual({ adk: { appName: APP, userId: 'alice', sessionId: 'chat-1' } });
    expect(await service.getSession({ appName: APP, userId: 'mallory', sessionId: session.id })).toBeUndefined();
  });
});
