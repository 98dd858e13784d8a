import { AgentSessionClient, ApiError, PullWorker, type StreamMessage } from '@agent-session/client';
import { externalAgentsFile } from '../helpers/pull-agents.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { sql } from '../helpers/test-database.js';

describe('the client package against the service', () => {
  let t: TestApp;
  let alice: AgentSessionClient;
  let agent: AgentSessionClient;

  beforeAll(async () => {
    t = await startTestApp({ env: { AGENTS_FILE: externalAgentsFile('support') } });
    alice = new AgentSessionClient({ baseUrl: t.baseUrl, token: await t.token('alice') });
    agent = new AgentSessionClient({ baseUrl: t.baseUrl, token: await t.agentToken(['support']) });
  });
  afterAll(() => t.close());

  it('a pull worker answers over the loop (steps, scoped state) while the user follows the session live', async () => {
    const { session, created } = await alice.sessionByKey('alice-support', { agentId: 'support' });
    expect(created).toBe(true);
    expect((await alice.sessionByKey('alice-support', { agentId: 'support' })).session.id).toBe(session.id);

    const worker = new PullWorker(agent, {
      agentId: 'support',
      waitMs: 1000,
      handler: async ({ claim, step }) => {
        const text = claim.trigger.parts[0].kind === 'text' ? claim.trigger.parts[0].text : '';
        await step({ kind: 'tool_call', callId: 'c1', name: 'orders', arguments: { q: text } });
        await step({ kind: 'tool_result', callId: 'c1', output: [{ kind: 'text', text: 'shipped' }] });
        const earlier = claim.history
          .filter((e) => e.role === 'user')
          .map((e) => (e.parts[0].kind === 'text' ? e.parts[0].text : ''))
          .join(', ');
        return {
          parts: [{ kind: 'text', text: `Shipped. Earlier you asked: ${earlier || 'nothing'}` }],
          statePatch: {
            'user:turns': Number(claim.session.state['user:turns'] ?? 0) + 1,
            'user:lastOrder': text,
            'app:answered': true,
            'temp:scratch': 1,
            lastQuestion: text,
          },
          usage: { promptTokens: 7, completionTokens: 3, model: 'scripted' },
        };
      },
    }).start();

    const live = new AbortController();
    const seen: StreamMessage[] = [];
    const following = (async () => {
      for await (const message of alice.streamEvents(session.id, { signal: live.signal })) {
        seen.push(message);
        if (message.event === 'session.event' && (message.data as { role: string }).role === 'agent') {
          if (seen.filter((m) => m.event === 'session.event').length >= 5) live.abort();
        }
      }
    })();

    const first = await alice.sendText(session.id, 'where is order 42?', { wait: true });
    expect(first.response?.parts).toEqual([{ kind: 'text', text: 'Shipped. Earlier you asked: nothing' }]);
    const second = await alice.sendText(session.id, 'and order 43?', { wait: true });
    expect(second.response?.parts).toEqual([{ kind: 'text', text: 'Shipped. Earlier you asked: where is order 42?' }]);
    await worker.stop();
    await following;
    expect(worker.completed).toBe(2);

    const streamed = seen.filter((m) => m.event === 'session.event').map((m) => (m.data as { seq: number }).seq);
    expect(streamed).toEqual([...streamed].sort((a, b) => a - b));
    expect(streamed[0]).toBe(1);

    const state = await alice.getState(session.id, { scopes: 'all' });
    expect(state).toMatchObject({
      'user:lastOrder': 'and order 43?',
      'app:answered': true,
      lastQuestion: 'and order 43?',
    });
    expect(state).not.toHaveProperty('temp:scratch');

    const tools = await sql<{ n: string }>(
      t.db.url,
      `SELECT count(*) AS n FROM events WHERE session_id = $1 AND type = 'tool_call'`,
      [session.id],
    );
    expect(Number(tools[0].n)).toBe(2);
    expect((await alice.verify(session.id)).valid).toBe(true);
  });

  it('turns errors into ApiError with the service code, and a user cannot write app state', async () => {
    const session = await alice.createSession({ agentId: 'support' });
    const error = await alice
      .recordTurn(session.id, {
        input: { parts: [{ kind: 'text', text: 'hi' }] },
        output: { parts: [{ kind: 'text', text: 'hello' }] },
        statePatch: { 'app:x': 1 },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 403, code: 'state/app_scope_forbidden' });
    await expect(alice.getSession('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      status: 404,
      code: 'session/not_found',
    });
  });
});
