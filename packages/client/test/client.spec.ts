import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentSessionClient, ApiError, isRetrySafe } from '../src/index.js';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

/** A scripted HTTP server standing in for the service: each request gets the next handler. */
async function fakeService(
  handlers: Handler[],
): Promise<{ url: string; requests: Array<{ method: string; url: string; body: string }>; server: Server }> {
  const requests: Array<{ method: string; url: string; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push({ method: req.method!, url: req.url!, body });
      const handler = handlers[Math.min(requests.length - 1, handlers.length - 1)];
      handler(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, server };
}

const json = (status: number, body: unknown) => (_req: IncomingMessage, _body: string, res: ServerResponse) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('AgentSessionClient', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it('retries a 503 on POST /events with the same client-chosen event id', async () => {
    const answer = { event: { id: 'e' }, task: { id: 't' } };
    const fake = await fakeService([json(503, { code: 'db/unavailable' }), json(202, answer)]);
    server = fake.server;
    const client = new AgentSessionClient({ baseUrl: fake.url, token: 't', retry: { minDelayMs: 1 } });
    const result = await client.sendText('s1', 'hello');
    expect(result).toEqual(answer);
    expect(fake.requests).toHaveLength(2);
    const [first, second] = fake.requests.map((r) => JSON.parse(r.body) as { id: string });
    expect(first.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.id).toBe(first.id);
  });

  it('does not repeat a POST that is not idempotent (opening a session) after a 503', async () => {
    const fake = await fakeService([json(503, { code: 'db/unavailable', message: 'down' })]);
    server = fake.server;
    const client = new AgentSessionClient({ baseUrl: fake.url, token: 't', retry: { minDelayMs: 1 } });
    const error = await client.createSession({ agentId: 'echo' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(503);
    expect((error as ApiError).code).toBe('db/unavailable');
    expect(fake.requests).toHaveLength(1);
  });

  it('gives up after the configured retries', async () => {
    const fake = await fakeService([json(502, {})]);
    server = fake.server;
    const client = new AgentSessionClient({ baseUrl: fake.url, token: 't', retry: { retries: 2, minDelayMs: 1 } });
    await expect(client.getSession('x')).rejects.toMatchObject({ status: 502 });
    expect(fake.requests).toHaveLength(3);
  });

  it('maps 404 to undefined in findSession and sends the bearer token', async () => {
    let auth: string | undefined;
    const fake = await fakeService([
      (req, body, res) => {
        auth = req.headers.authorization;
        json(404, { code: 'session/not_found' })(req, body, res);
      },
    ]);
    server = fake.server;
    const client = new AgentSessionClient({ baseUrl: fake.url, token: 'secret' });
    await expect(client.findSession('x')).resolves.toBeUndefined();
    expect(auth).toBe('Bearer secret');
  });

  it('retries a turn with the same turnId after a network failure', async () => {
    const fake = await fakeService([(req) => req.socket.destroy(), json(201, { task: {}, events: [] })]);
    server = fake.server;
    const client = new AgentSessionClient({ baseUrl: fake.url, token: 't', retry: { minDelayMs: 1 } });
    await client.recordTurn('s', {
      input: { parts: [{ kind: 'text', text: 'a' }] },
      output: { parts: [{ kind: 'text', text: 'b' }] },
    });
    const ids = fake.requests.map((r) => (JSON.parse(r.body) as { turnId: string }).turnId);
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe(ids[0]);
  });

  it('classifies which requests are safe to repeat', () => {
    const base = 'http://x/v1';
    expect(isRetrySafe('GET', `${base}/sessions`)).toBe(true);
    expect(isRetrySafe('POST', `${base}/sessions/1/turns`)).toBe(true);
    expect(isRetrySafe('POST', `${base}/tasks/1/result`)).toBe(true);
    expect(isRetrySafe('POST', `${base}/sessions`)).toBe(false);
    expect(isRetrySafe('POST', `${base}/sessions/1/history/revert`)).toBe(false);
    expect(isRetrySafe('POST', `${base}/tasks/1/steps`)).toBe(false);
  });

  it('follows a session over SSE and resumes after the last seq when the connection drops', async () => {
    const event = (seq: number) => `event: session.event\nid: ${seq}\ndata: ${JSON.stringify({ seq })}\n\n`;
    const fake = await fakeService([
      (_req, _body, res) => {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.end(event(1) + event(2));
      },
      (_req, _body, res) => {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.write(event(3));
      },
    ]);
    server = fake.server;
    const client = new AgentSessionClient({ baseUrl: fake.url, token: 't' });
    const controller = new AbortController();
    const seen: number[] = [];
    for await (const message of client.streamEvents('s', { signal: controller.signal, reconnectDelayMs: 10 })) {
      seen.push((message.data as { seq: number }).seq);
      if (seen.length === 3) controller.abort();
    }
    expect(seen).toEqual([1, 2, 3]);
    expect(fake.requests.map((r) => r.url)).toEqual(['/v1/sessions/s/stream?after=0', '/v1/sessions/s/stream?after=2']);
    server.closeAllConnections();
  });
});
