import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { eventually } from '../helpers/factories.js';
import { FakeAgentServer } from '../helpers/fake-agent-server.js';
import { McpTestServer } from '../helpers/mcp-test-server.js';
import { OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.js';
import { model } from '../helpers/scripted-model.js';
import { cliToken, ServiceProcess } from '../helpers/service-process.js';
import { createTestDatabase, sql, type TestDatabase } from '../helpers/test-database.js';
import { tracingEnabled } from '../../src/platform/telemetry/telemetry.state.js';
import { withSpan } from '../../src/platform/telemetry/tracing.js';

const SERVER = 2; // OTLP SpanKind
const CLIENT = 3;

describe('OpenTelemetry traces: the built service exports a turn to an OTLP/HTTP receiver on loopback', () => {
  const receiver = new OtlpReceiver();
  const fake = new FakeAgentServer();
  const mcp = new McpTestServer();
  let db: TestDatabase;
  let service: ServiceProcess;
  let headers: Record<string, string>;
  let token: string;

  beforeAll(async () => {
    await Promise.all([receiver.start(), fake.start(), mcp.start()]);
    fake.route('/v1/chat/completions', model);
    const file = join(mkdtempSync(join(tmpdir(), 'agents-')), 'agents.json');
    const agent = {
      id: 'support',
      name: 'Support desk',
      kind: 'openai',
      baseUrl: `${fake.url}/v1`,
      model: 'gpt-tools',
      stream: false,
      mcpServers: [{ name: 'orders', url: mcp.url }],
    };
    writeFileSync(file, JSON.stringify({ agents: [agent] }));
    db = await createTestDatabase();
    service = await ServiceProcess.start({
      DATABASE_URL: db.url,
      AGENTS_FILE: file,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: 'sessions-under-test',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      LISTENER_CHECK_MS: '200', // a timer started while the app is built, for the boot-trace test
    });
    token = await cliToken(db.url, 'alice');
    headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
    await db?.drop();
    await Promise.all([receiver.stop(), fake.stop(), mcp.stop()]);
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const post = async (path: string, body: unknown): Promise<any> =>
    (await fetch(`${service.baseUrl}${path}`, { method: 'POST', headers, body: JSON.stringify(body) })).json();

  it('one trace: the request, its Nest handler, invoke_agent, each chat call and the tool call, with GenAI attributes', async () => {
    const session = await post('/v1/sessions', { agentId: 'support' });
    const turn = await post(`/v1/sessions/${session.id}/events?wait=true`, {
      parts: [{ kind: 'text', text: 'Where is order 42?' }],
    });
    expect(turn.task.status).toBe('completed');
    const [stored] = await sql<{ trace_context: { traceparent: string } }>(
      db.url,
      'SELECT trace_context FROM tasks WHERE id = $1',
      [turn.task.id],
    );
    expect(stored.trace_context.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);

    const named = (spans: ReceivedSpan[], name: string) => spans.filter((s) => s.name === name);
    const traceId = stored.trace_context.traceparent.split('-')[1];
    const inTrace = (all: ReceivedSpan[]) => all.filter((s) => s.traceId === traceId);
    // the request's span ends after the answer was sent, so it is exported last
    const spans = await eventually(
      async () => inTrace(receiver.spans),
      (all) => all.some((s) => s.kind === SERVER) && named(all, 'chat gpt-tools').length === 2,
    );
    const [invoke] = named(spans, 'invoke_agent Support desk');
    expect(invoke.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.id': 'support',
      'gen_ai.agent.name': 'Support desk',
      'gen_ai.conversation.id': session.id,
      'gen_ai.request.model': 'gpt-tools',
      'gen_ai.usage.input_tokens': 30,
      'gen_ai.usage.output_tokens': 11,
    });

    const request = spans.find((s) => s.kind === SERVER)!;
    expect(request.attributes).toMatchObject({
      'http.request.method': 'POST',
      'url.path': `/v1/sessions/${session.id}/events`,
      'http.response.status_code': 201,
    });
    expect(invoke.traceId).toBe(request.traceId);
    const ids = new Set(spans.map((s) => s.spanId));
    expect(ids.has(invoke.parentSpanId)).toBe(true); // a span of the request (its handler) is the parent

    // Nest's instrumentation: the controller (guards, pipes, interceptors included), then the handler method
    const [controller] = named(spans, 'TurnsController.append');
    expect(controller.attributes).toMatchObject({
      'nestjs.type': 'request_context',
      'nestjs.controller': 'TurnsController',
      'nestjs.callback': 'append',
      'http.route': '/v1/sessions/:id/events',
    });
    expect(ids.has(controller.parentSpanId)).toBe(true);
    const [handler] = named(spans, 'append');
    expect(handler).toMatchObject({ parentSpanId: controller.spanId });
    expect(handler.attributes).toMatchObject({ 'nestjs.type': 'handler', 'nestjs.callback': 'append' });
    expect(spans.filter((s) => s.attributes['express.type'] === 'middleware')).toEqual([]);

    const chats = named(spans, 'chat gpt-tools');
    for (const chat of chats) {
      expect(chat).toMatchObject({ kind: CLIENT, traceId: invoke.traceId, parentSpanId: invoke.spanId });
      expect(chat.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-tools' });
    }
    expect(chats.map((c) => c.attributes['gen_ai.usage.input_tokens']).sort()).toEqual([10, 20]);
    // the model server was told the trace context of the chat call that asked it
    const sent = fake.requests.map((r) => String(r.headers.traceparent ?? '').split('-'));
    expect(
      sent.filter(([, trace, span]) => trace === invoke.traceId && chats.some((c) => c.spanId === span)),
    ).toHaveLength(2);

    const [tool] = named(spans, 'execute_tool lookup_order');
    expect(tool).toMatchObject({ traceId: invoke.traceId, parentSpanId: invoke.spanId });
    expect(tool.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'lookup_order',
      'gen_ai.tool.call.id': 'call_1',
    });
    expect(spans.some((s) => s.attributes['db.system.name'] === 'postgresql')).toBe(true);
    expect(mcp.calls).toContainEqual({ name: 'lookup_order', args: { orderId: '42' } });
  });

  it('marks a tool that reports an error', async () => {
    const session = await post('/v1/sessions', { agentId: 'support' });
    await post(`/v1/sessions/${session.id}/events?wait=true`, { parts: [{ kind: 'text', text: 'refund order 9' }] });
    const spans = await eventually(
      async () => receiver.spans.filter((s) => s.name === 'execute_tool refund'),
      (found) => found.length === 1,
    );
    expect(spans[0].status.code).toBe(2); // ERROR
    expect(spans[0].attributes['error.type']).toBe('tool_error');
  });

  it('exports no token a client put in the URL', async () => {
    const res = await fetch(`${service.baseUrl}/v1/sessions?limit=5&access_token=${token}`);
    expect(res.status).toBe(401);
    const spans = await eventually(
      async () => receiver.spans.filter((s) => s.name === 'SessionsController.list' || s.kind === SERVER),
      (found) => found.some((s) => String(s.attributes['url.query']).includes('access_token')),
    );
    const request = spans.find((s) => String(s.attributes['url.query']).includes('access_token'))!;
    expect(request.attributes['url.query']).toBe('limit=5&access_token=[redacted]');
    const controller = spans.find((s) => s.name === 'SessionsController.list' && s.traceId === request.traceId)!;
    expect(controller.attributes['url.full']).toBe('/v1/sessions?limit=5&access_token=[redacted]');
    expect(JSON.stringify(receiver.spans)).not.toContain(token.slice(4, 20));
  });

  it('records no span for background work started while the app was built', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // five listener checks, then an export
    const traces = new Map<string, ReceivedSpan[]>();
    for (const span of receiver.spans) traces.set(span.traceId, [...(traces.get(span.traceId) ?? []), span]);
    const orphans = [...traces.values()].filter(
      (trace) => !trace.some((s) => s.kind === SERVER || s.name.startsWith('invoke_agent')),
    );
    expect(orphans.flat().map((s) => s.name)).toEqual([]);
    expect(receiver.spans.filter((s) => s.name === 'Create Nest App')).toEqual([]);
  });
});

describe('tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  it('is off unless an endpoint is configured, and spans are the API no-op', async () => {
    expect(tracingEnabled({})).toBe(false);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' })).toBe(false);
    const recording = await withSpan('invoke_agent x', {}, async (span) => span.isRecording());
    expect(recording).toBe(false);
    expect(trace.getActiveSpan()).toBeUndefined();
  });
});
