import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auth, createSession, say } from '../helpers/factories.js';
import { FakeAgentServer, json } from '../helpers/fake-agent-server.js';
import { model, toolCall } from '../helpers/scripted-model.js';
import { McpTestServer } from '../helpers/mcp-test-server.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

interface StoredEvent {
  id: string;
  type: string;
  role: string;
  parentId: string | null;
  parts: { kind: string; text?: string; data?: unknown }[];
  metadata: Record<string, unknown>;
  usage: { promptTokens: number; completionTokens: number } | null;
}

describe('openai agent with MCP tools (fake model server, real MCP server on loopback)', () => {
  const fake = new FakeAgentServer();
  const mcp = new McpTestServer();
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    await Promise.all([fake.start(), mcp.start()]);
    fake.route('/plain/v1/chat/completions', model).route('/stream/v1/chat/completions', model);
    fake.route('/loop/v1/chat/completions', (_req, res) =>
      json(res, 200, {
        choices: [{ message: { content: null, tool_calls: [toolCall('call_x', 'lookup_order', { orderId: '1' })] } }],
        usage: { prompt_tokens: 1, completion_tokens: 1 },
      }),
    );
    const servers = [{ name: 'orders', url: mcp.url }];
    const agent = (id: string, path: string, extra = {}) => ({
      id,
      kind: 'openai',
      baseUrl: `${fake.url}/${path}/v1`,
      model: 'gpt-tools',
      mcpServers: servers,
      ...extra,
    });
    const dir = mkdtempSync(join(tmpdir(), 'agents-'));
    const file = join(dir, 'agents.json');
    writeFileSync(
      file,
      JSON.stringify({
        agents: [
          agent('support', 'plain', { stream: false }),
          agent('support-stream', 'stream'),
          agent('looping', 'loop', { stream: false, maxToolRounds: 2 }),
          agent('stdio', 'plain', {
            stream: false,
            mcpServers: [
              { name: 'local', command: process.execPath, args: [join(__dirname, '../helpers/mcp-stdio-server.mjs')] },
            ],
          }),
          agent('no-mcp', 'plain', { stream: false, mcpServers: [{ name: 'down', url: 'http://127.0.0.1:9/mcp' }] }),
        ],
      }),
    );
    t = await startTestApp({ env: { AGENTS_FILE: file, AGENT_TIMEOUT_MS: '10000' } });
    token = await t.token('alice');
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([fake.stop(), mcp.stop()]);
  });

  const history = async (sessionId: string): Promise<StoredEvent[]> =>
    (await t.http().get(`/v1/sessions/${sessionId}/events`).set(auth(token))).body.data;

  it('runs the tool loop: the call and its result are steps with parents, the MCP server ran it, usage is summed', async () => {
    const session = await createSession(t, token, { agentId: 'support' });
    const res = await say(t, token, session.id, 'Where is order 12345?');
    expect(res.body.task.status).toBe('completed');
    expect(res.body.response.parts).toEqual([
      { kind: 'text', text: 'Answer after tool: Order 12345: shipped\n{"orderId":"12345","status":"shipped"}' },
    ]);
    expect(res.body.response.usage).toMatchObject({ promptTokens: 30, completionTokens: 11, model: 'gpt-tools' });
    expect(mcp.calls).toContainEqual({ name: 'lookup_order', args: { orderId: '12345' } });

    const [user, thinking, call, result, answer] = await history(session.id);
    expect(thinking).toMatchObject({
      type: 'message',
      role: 'agent',
      parentId: user.id,
      parts: [{ text: 'Let me check.' }],
    });
    expect(call).toMatchObject({
      type: 'tool_call',
      role: 'agent',
      parentId: thinking.id,
      parts: [{ kind: 'data', data: { name: 'lookup_order', arguments: { orderId: '12345' } } }],
      metadata: { callId: 'call_1', name: 'lookup_order', attempt: 1 },
    });
    expect(result).toMatchObject({
      type: 'tool_result',
      role: 'tool',
      parentId: call.id,
      parts: [
        { kind: 'text', text: 'Order 12345: shipped' },
        { kind: 'data', data: { orderId: '12345', status: 'shipped' } },
      ],
      metadata: { callId: 'call_1', attempt: 1 },
    });
    expect(result.metadata.isError).toBeUndefined();
    expect(answer).toMatchObject({ type: 'message', role: 'agent', parentId: null });

    const requests = fake.requests.filter((r) => r.path === '/plain/v1/chat/completions').slice(-2);
    expect(requests[0].body.tools.map((tool: { function: { name: string } }) => tool.function.name).sort()).toEqual([
      'lookup_order',
      'refund',
    ]);
    expect(requests[0].body.tools[0].function.parameters).toMatchObject({ type: 'object' });
    expect(requests[1].body.messages.slice(-2)).toEqual([
      {
        role: 'assistant',
        content: 'Let me check.',
        tool_calls: [toolCall('call_1', 'lookup_order', { orderId: '12345' })],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'Order 12345: shipped\n{"orderId":"12345","status":"shipped"}' },
    ]);
  });

  it('streams: assembles a tool call sent in pieces; an MCP tool error is an isError result the model is given', async () => {
    const session = await createSession(t, token, { agentId: 'support-stream' });
    const res = await say(t, token, session.id, 'Please refund order 77');
    expect(res.body.task.status).toBe('completed');
    expect(mcp.calls).toContainEqual({ name: 'refund', args: { orderId: '77' } });
    const events = await history(session.id);
    expect(events.map((e) => e.type)).toEqual(['message', 'tool_call', 'tool_result', 'message']);
    const [, call, result, answer] = events;
    expect(call).toMatchObject({ metadata: { callId: 'call_s', name: 'refund' }, parentId: events[0].id });
    expect(result).toMatchObject({
      parentId: call.id,
      metadata: { callId: 'call_s', isError: true },
      parts: [{ kind: 'text', text: 'refund of 77 refused: past 30 days' }],
    });
    expect(answer.parts[0].text).toBe('Answer after tool: refund of 77 refused: past 30 days');
    const second = fake.requests.filter((r) => r.path === '/stream/v1/chat/completions').at(-1)!;
    expect(second.body.messages.at(-1)).toEqual({
      role: 'tool',
      tool_call_id: 'call_s',
      content: 'refund of 77 refused: past 30 days',
    });
  });

  it('also reaches an MCP server over stdio, started as a child process', async () => {
    const session = await createSession(t, token, { agentId: 'stdio' });
    const res = await say(t, token, session.id, 'Where is order 5?');
    expect(res.body.task.status).toBe('completed');
    const result = (await history(session.id)).find((e) => e.type === 'tool_result')!;
    const text = result.parts[0].text!;
    expect(text).toMatch(/^Order 5 via stdio \(pid (\d+)\)$/);
    expect(Number(/pid (\d+)/.exec(text)![1])).not.toBe(process.pid);
  });

  it('fails the task with a clear reason when the model keeps asking for tools past maxToolRounds', async () => {
    const session = await createSession(t, token, { agentId: 'looping' });
    const res = await say(t, token, session.id, 'loop forever');
    expect(res.body.task).toMatchObject({
      status: 'failed',
      error: 'the model still asked for tools after 2 rounds of tool calls (maxToolRounds)',
    });
    const events = await history(session.id);
    expect(events.filter((e) => e.type === 'tool_call')).toHaveLength(2);
    expect(events.filter((e) => e.type === 'tool_result')).toHaveLength(2);
    expect(fake.count('/loop/v1/chat/completions')).toBe(3);
  });

  it('fails the task, naming the server, when an MCP server cannot be reached', async () => {
    const session = await createSession(t, token, { agentId: 'no-mcp' });
    const res = await say(t, token, session.id, 'Where is order 1?');
    expect(res.body.task).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('MCP server down unreachable'),
    });
  });
});
