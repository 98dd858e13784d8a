import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auth, createSession, say, text } from '../helpers/factories.js';
import { FakeAgentServer, json, sse } from '../helpers/fake-agent-server.js';
import { readSse } from '../helpers/sse-client.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

describe('agent back ends against local fake servers', () => {
  const fake = new FakeAgentServer();
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    await fake.start();
    fake
      .route('/plain', (req, res) =>
        json(res, 200, {
          parts: [{ kind: 'text', text: `plain reply to turn ${req.body.turn}` }],
          usage: { promptTokens: 3, completionTokens: 4, model: 'house-model' },
        }),
      )
      .route('/question', (_req, res) =>
        json(res, 200, { parts: [{ kind: 'text', text: 'Which one?' }], status: 'input_required' }),
      )
      .route('/farewell', (_req, res) =>
        json(res, 200, { parts: [{ kind: 'text', text: 'Bye' }], status: 'completed', endSession: true }),
      )
      .route('/bad-end', (_req, res) => json(res, 200, { parts: [{ kind: 'text', text: 'Bye' }], endSession: 'yes' }))
      .route('/stream', (_req, res) =>
        sse(res, [
          { event: 'delta', data: { text: 'Hel' } },
          { event: 'delta', data: { text: 'lo' } },
          { event: 'result', data: { parts: [{ kind: 'text', text: 'Hello' }] } },
        ]),
      )
      .route('/flaky', (_req, res, nth) =>
        nth === 1
          ? json(res, 503, { error: 'busy' })
          : json(res, 200, { parts: [{ kind: 'text', text: 'second try' }] }),
      )
      .route('/broken', (_req, res) => json(res, 400, { error: 'bad request' }))
      .route(
        '/slow',
        (_req, res) => void setTimeout(() => json(res, 200, { parts: [{ kind: 'text', text: 'late' }] }), 3000).unref(),
      )
      .route('/v1/chat/completions', (req, res) => {
        const last = req.body.messages.at(-1).content as string;
        if (!req.body.stream) {
          json(res, 200, {
            model: 'gpt-test',
            choices: [{ message: { content: `You said ${last}` } }],
            usage: { prompt_tokens: 11, completion_tokens: 7 },
          });
          return;
        }
        sse(res, [
          { data: { choices: [{ delta: { content: 'You said ' } }] } },
          { data: { choices: [{ delta: { content: last } }] } },
          { data: { model: 'gpt-test', choices: [], usage: { prompt_tokens: 11, completion_tokens: 7 } } },
          { data: '[DONE]' },
        ]);
      });
    const dir = mkdtempSync(join(tmpdir(), 'agents-'));
    const file = join(dir, 'agents.json');
    const http = (id: string, path: string, extra = {}) => ({ id, kind: 'http', url: `${fake.url}${path}`, ...extra });
    writeFileSync(
      file,
      JSON.stringify({
        agents: [
          http('plain', '/plain'),
          http('question', '/question'),
          http('farewell', '/farewell'),
          http('bad-end', '/bad-end'),
          http('streamer', '/stream', { streaming: true }),
          http('flaky', '/flaky'),
          http('broken', '/broken'),
          http('slow', '/slow'),
          {
            id: 'gpt',
            kind: 'openai',
            baseUrl: `${fake.url}/v1`,
            model: 'gpt-test',
            apiKeyEnv: 'FAKE_API_KEY',
            systemPrompt: 'Be brief.',
          },
          {
            id: 'gpt-plain',
            kind: 'openai',
            baseUrl: `${fake.url}/v1`,
            model: 'gpt-test',
            stream: false,
            maxPromptTokens: 40,
          },
        ],
      }),
    );
    t = await startTestApp({
      env: {
        AGENTS_FILE: file,
        AGENT_TIMEOUT_MS: '1000',
        FAKE_API_KEY: 'sk-test',
        MODEL_PRICES: JSON.stringify({ 'gpt-test': { prompt: 1000, completion: 2000 } }),
      },
    });
    token = await t.token('alice');
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });

  it('http: sends the session, history and event; stores parts and usage', async () => {
    const session = await createSession(t, token, { agentId: 'plain' });
    await say(t, token, session.id, 'first');
    const res = await say(t, token, session.id, 'second');
    expect(res.body.response).toMatchObject({
      parts: text('plain reply to turn 2'),
      usage: { promptTokens: 3, completionTokens: 4, model: 'house-model', costUsd: null },
    });
    const sent = fake.requests.filter((r) => r.path === '/plain').at(-1)!.body;
    expect(sent.session).toMatchObject({ id: session.id, agentId: 'plain', userId: 'alice' });
    expect(sent.event).toMatchObject({ role: 'user', parts: text('second') });
    expect(sent.history.map((e: { role: string }) => e.role)).toEqual(['user', 'agent']);
  });

  it('http: an answer with status input_required leaves the task waiting for input', async () => {
    const session = await createSession(t, token, { agentId: 'question' });
    const res = await say(t, token, session.id, 'help');
    expect(res.body.task.status).toBe('input_required');
  });

  it('http: an answer with endSession ends the conversation; a malformed endSession fails the task', async () => {
    const session = await createSession(t, token, { agentId: 'farewell' });
    expect((await say(t, token, session.id, 'that is all')).body.task.status).toBe('completed');
    expect((await t.http().get(`/v1/sessions/${session.id}`).set(auth(token))).body.status).toBe('completed');
    const other = await createSession(t, token, { agentId: 'bad-end' });
    const failed = await say(t, token, other.id, 'bye');
    expect(failed.body.task).toMatchObject({ status: 'failed', error: 'agent answer "endSession" must be a boolean' });
  });

  it('http: streams deltas from an SSE back end and stores only the final answer', async () => {
    const session = await createSession(t, token, { agentId: 'streamer' });
    const result = await readSse(`${t.baseUrl}/v1/sessions/${session.id}/events`, {
      method: 'POST',
      headers: auth(token),
      body: { parts: text('hi') },
    });
    const deltas = result.messages
      .filter((m) => m.event === 'message.delta')
      .map((m) => m.data.text)
      .join('');
    expect(deltas).toBe('Hello');
    expect(result.messages.at(-1)!.data.status).toBe('completed');
    const history = await t.http().get(`/v1/sessions/${session.id}/events`).set(auth(token));
    expect(history.body.data.map((e: { parts: unknown }) => e.parts)).toEqual([text('hi'), text('Hello')]);
  });

  it('retries a transient failure with backoff, but not a permanent one', async () => {
    const flaky = await say(t, token, (await createSession(t, token, { agentId: 'flaky' })).id, 'x');
    expect(flaky.body.task.status).toBe('completed');
    expect(flaky.body.response.parts).toEqual(text('second try'));
    expect(fake.count('/flaky')).toBe(2);
    const broken = await say(t, token, (await createSession(t, token, { agentId: 'broken' })).id, 'x');
    expect(broken.body.task).toMatchObject({ status: 'failed', error: expect.stringContaining('400') });
    expect(fake.count('/broken')).toBe(1);
  });

  it('fails a call that exceeds the timeout, with the reason stored', async () => {
    const res = await say(t, token, (await createSession(t, token, { agentId: 'slow' })).id, 'x');
    expect(res.body.task).toMatchObject({ status: 'failed', error: expect.stringContaining('timed out') });
    expect(res.body.response.type).toBe('error');
  });

  it('openai: streams, records token usage and cost, sends the API key and the history', async () => {
    const session = await createSession(t, token, { agentId: 'gpt' });
    await say(t, token, session.id, 'one');
    const result = await readSse(`${t.baseUrl}/v1/sessions/${session.id}/events`, {
      method: 'POST',
      headers: auth(token),
      body: { parts: text('two') },
    });
    const deltas = result.messages
      .filter((m) => m.event === 'message.delta')
      .map((m) => m.data.text)
      .join('');
    expect(deltas).toBe('You said two');
    const answer = result.messages.at(-2)!.data;
    expect(answer.usage).toEqual({ promptTokens: 11, completionTokens: 7, model: 'gpt-test', costUsd: 0.025 });
    const request = fake.requests.filter((r) => r.path === '/v1/chat/completions').at(-1)!;
    expect(request.headers.authorization).toBe('Bearer sk-test');
    expect(request.body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'one' },
      { role: 'assistant', content: 'You said one' },
      { role: 'user', content: 'two' },
    ]);
    const totals = await t.http().get(`/v1/sessions/${session.id}`).set(auth(token));
    expect(totals.body.usage).toEqual({ promptTokens: 22, completionTokens: 14, costUsd: 0.05, unpricedAnswers: 0 });
  });

  it('openai: drops the oldest turns first to fit the token budget', async () => {
    const session = await createSession(t, token, { agentId: 'gpt-plain' });
    for (const word of ['alpha '.repeat(20), 'beta', 'gamma']) await say(t, token, session.id, word);
    const request = fake.requests.filter((r) => r.path === '/v1/chat/completions').at(-1)!;
    const contents = request.body.messages.map((m: { content: string }) => m.content);
    expect(contents.at(-1)).toBe('gamma');
    expect(contents.join(' ')).not.toContain('alpha');
    expect(contents).toContain('beta');
    expect(request.body.stream).toBeUndefined();
  });
});
