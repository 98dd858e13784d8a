import { auth, createSession, eventually, say, text } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { connect } from 'node:net';
import { OpenStreams } from '../../src/platform/http/open-streams.service.js';
import { seedHistory } from '../helpers/seed-history.js';
import { sql } from '../helpers/test-database.js';
import { eventSeqs, openSocket, refusedUpgrade, type Frame } from '../helpers/ws-client.js';

const answered = (frames: Frame[], seq: number) =>
  frames.some((f) => f.type === 'event' && f.event.seq === seq && f.event.role === 'agent');

describe('session WebSocket', () => {
  let t: TestApp;
  let alice: string;
  let wsBase: string;

  beforeAll(async () => {
    t = await startTestApp();
    alice = await t.token('alice');
    wsBase = t.baseUrl.replace('http', 'ws');
  });
  afterAll(() => t.close());

  const ticketFor = async (token: string, sessionId: string) => {
    const res = await t.http().post('/v1/ws-tickets').set(auth(token)).send({ sessionId });
    expect(res.status).toBe(201);
    return res.body as { ticket: string; expiresAt: string };
  };
  const socketUrl = (sessionId: string, query = '') => `${wsBase}/v1/sessions/${sessionId}/ws${query}`;

  it('opens with a ticket, replays the stored events, and a ticket opens only once', async () => {
    const session = await createSession(t, alice);
    await say(t, alice, session.id, 'hello');
    const { ticket, expiresAt } = await ticketFor(alice, session.id);
    expect(ticket).toMatch(/^wst_/);
    const ttl = Date.parse(expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(20_000);
    expect(ttl).toBeLessThanOrEqual(31_000);
    const socket = await openSocket(socketUrl(session.id, `?ticket=${ticket}`));
    await socket.until((frames) => eventSeqs(frames).length === 2);
    expect(eventSeqs(socket.frames)).toEqual([1, 2]);
    expect(socket.frames[0].event).toMatchObject({ sessionId: session.id, role: 'user', parts: text('hello') });
    await socket.close();
    const again = await refusedUpgrade(socketUrl(session.id, `?ticket=${ticket}`));
    expect(again).toMatchObject({ status: 401, body: { code: 'auth/unauthorized' } });
    const stored = await sql<{ n: string }>(
      t.db.url,
      'SELECT count(*)::text AS n FROM ws_tickets WHERE ticket_hash = $1',
      [ticket],
    );
    expect(stored[0].n).toBe('0'); // only its hash is stored
  });

  it('accepts a ticket on another instance, which pushes what the first one stores', async () => {
    const other = await startTestApp({ db: t.db, env: { WORKER_ENABLED: 'false' } });
    try {
      const session = await createSession(t, alice);
      const { ticket } = await ticketFor(alice, session.id);
      const url = `${other.baseUrl.replace('http', 'ws')}/v1/sessions/${session.id}/ws?ticket=${ticket}`;
      const socket = await openSocket(url);
      socket.send({ type: 'event', parts: text('answered by the other instance') });
      await socket.until((frames) => answered(frames, 2)); // that instance runs no worker: t's answered
      await socket.close();
    } finally {
      await other.close();
    }
  });

  it('refuses an expired ticket, a ticket for another session, a token in the URL and no credentials (401)', async () => {
    const session = await createSession(t, alice);
    const other = await createSession(t, alice);
    const expired = await ticketFor(alice, session.id);
    await sql(
      t.db.url,
      `UPDATE ws_tickets SET created_at = now() - interval '2 minutes', expires_at = now() - interval '1 second'`,
    );
    expect((await refusedUpgrade(socketUrl(session.id, `?ticket=${expired.ticket}`))).status).toBe(401);
    const elsewhere = await ticketFor(alice, other.id);
    expect((await refusedUpgrade(socketUrl(session.id, `?ticket=${elsewhere.ticket}`))).status).toBe(401);
    const inUrl = await refusedUpgrade(socketUrl(session.id, `?access_token=${alice}`));
    expect(inUrl).toMatchObject({ status: 401, body: { code: 'auth/unauthorized' } });
    expect(inUrl.body.message).toContain('never accepted in the URL');
    expect((await refusedUpgrade(socketUrl(session.id))).status).toBe(401);
    expect((await refusedUpgrade(socketUrl(session.id), ['bearer.ast_not-a-token'])).status).toBe(401);
  });

  it('opens with the bearer.<token> subprotocol and selects the other offered subprotocol', async () => {
    const session = await createSession(t, alice);
    const socket = await openSocket(socketUrl(session.id), ['agent-sessions', `bearer.${alice}`]);
    expect(socket.protocol).toBe('agent-sessions');
    socket.send({ type: 'event', parts: text('over the socket') });
    await socket.until((frames) => answered(frames, 2));
    await socket.close();
  });

  it("answers 404 before the upgrade for another user's session, for tickets and subprotocols alike", async () => {
    const session = await createSession(t, alice);
    const bob = await t.token('bob');
    const ticket = await t.http().post('/v1/ws-tickets').set(auth(bob)).send({ sessionId: session.id });
    expect(ticket.status).toBe(404);
    expect(ticket.body.code).toBe('session/not_found');
    const refused = await refusedUpgrade(socketUrl(session.id), [`bearer.${bob}`]);
    expect(refused).toMatchObject({ status: 404, body: { code: 'session/not_found' } });
    const missing = await refusedUpgrade(`${wsBase}/v1/sessions/${session.id}/nope`, [`bearer.${alice}`]);
    expect(missing.status).toBe(404);
    const plain = await t.http().get(`/v1/sessions/${session.id}/ws`).set(auth(alice));
    expect([plain.status, plain.body.code]).toEqual([404, 'route/not_found']);
  });

  it("stores an event sent over the socket and pushes its task, the agent's answer and the task's status", async () => {
    const session = await createSession(t, alice);
    const socket = await openSocket(socketUrl(session.id, `?ticket=${(await ticketFor(alice, session.id)).ticket}`));
    const id = crypto.randomUUID();
    socket.send({ type: 'event', id, parts: text('my order is late'), metadata: { channel: 'ws' } });
    const frames = await socket.until(
      (all) => answered(all, 2) && all.some((f) => f.type === 'task' && f.task.status === 'completed'),
    );
    const user = frames.find((f) => f.type === 'event' && f.event.seq === 1)!.event;
    expect(user).toMatchObject({ id, role: 'user', metadata: { channel: 'ws' } });
    const answer = frames.find((f) => f.type === 'event' && f.event.seq === 2)!.event;
    expect(answer.parts[0].text).toContain('my order is late');
    const tasks = frames.filter((f) => f.type === 'task');
    expect(tasks[0].task).toMatchObject({ triggerEventId: id, status: expect.any(String) });
    expect(tasks.at(-1)!.task).toMatchObject({ status: 'completed', responseEventId: answer.id });
    const history = await t.http().get(`/v1/sessions/${session.id}/events`).set(auth(alice));
    expect(history.body.data.map((e: { id: string }) => e.id)).toEqual([id, answer.id]);
    await socket.close();
  });

  it('replays the stored events after afterSeq on resume, and starts after ?after=', async () => {
    const session = await createSession(t, alice);
    await say(t, alice, session.id, 'one');
    await say(t, alice, session.id, 'two');
    const socket = await openSocket(socketUrl(session.id, '?after=2'), [`bearer.${alice}`]);
    await socket.until((frames) => eventSeqs(frames).length === 2);
    expect(eventSeqs(socket.frames)).toEqual([3, 4]);
    socket.send({ type: 'resume', afterSeq: 1 });
    await socket.until((frames) => eventSeqs(frames).length === 5);
    expect(eventSeqs(socket.frames)).toEqual([3, 4, 2, 3, 4]);
    await socket.close();
  });

  it('answers bad messages with error frames and keeps the socket open', async () => {
    const session = await createSession(t, alice);
    const socket = await openSocket(socketUrl(session.id), [`bearer.${alice}`]);
    socket.send({ type: 'event', parts: [] });
    socket.send('{not json');
    socket.send({ type: 'shout' });
    socket.send({ type: 'event', parts: text('x'), extra: true });
    socket.send({ type: 'resume', afterSeq: -1 });
    socket.send({ type: 'event', parts: text('nul \u0000') });
    const errors = await socket.until((frames) => frames.filter((f) => f.type === 'error').length === 6);
    expect(errors.filter((f) => f.type === 'error').map((f) => [f.error.status, f.error.code])).toEqual([
      [400, 'request/validation_failed'],
      [400, 'request/invalid_json'],
      [400, 'message/unknown_type'],
      [400, 'request/validation_failed'],
      [400, 'request/validation_failed'],
      [400, 'request/nul_character'],
    ]);
    expect(errors.find((f) => f.type === 'error' && f.error.details)!.error.details[0]).toEqual(expect.any(String));
    socket.send({ type: 'event', parts: text('still here') });
    await socket.until((frames) => answered(frames, 2));
    await t.http().delete(`/v1/sessions/${session.id}`).set(auth(alice)).expect(204);
    socket.send({ type: 'event', parts: text('too late') });
    const closed = await socket.until((frames) => frames.some((f) => f.type === 'error' && f.error.status === 409));
    expect(closed.at(-1)!.error.code).toBe('session/not_writable');
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    await socket.close();
  });

  it('pushes the deltas of a streaming answer, which add up to the stored answer', async () => {
    const session = await createSession(t, alice);
    const socket = await openSocket(socketUrl(session.id), [`bearer.${alice}`]);
    socket.send({ type: 'event', parts: text('stream this please, word by word') });
    const frames = await socket.until((all) => answered(all, 2));
    const deltas = frames.filter((f) => f.type === 'delta');
    expect(deltas.length).toBeGreaterThan(0);
    const answer = frames.find((f) => f.type === 'event' && f.event.seq === 2)!.event;
    expect(deltas.map((f) => f.text).join('')).toBe(answer.parts[0].text);
    expect(deltas.map((f) => f.index)).toEqual(deltas.map((_f, i) => i));
    expect(deltas[0].taskId).toBe(answer.taskId);
    await socket.close();
  });

  it("records a reviewer's socket in the access log", async () => {
    const session = await createSession(t, alice);
    const rita = await t.token('rita', 'reviewer');
    const admin = await t.token('root', 'admin');
    const socket = await openSocket(socketUrl(session.id, `?ticket=${(await ticketFor(rita, session.id)).ticket}`));
    socket.send({ type: 'event', parts: text('a reviewer only watches') });
    const frames = await socket.until((all) => all.some((f) => f.type === 'error'));
    expect(frames.find((f) => f.type === 'error')!.error).toMatchObject({ status: 403, code: 'auth/forbidden' });
    await socket.close();
    const log = await eventually(
      async () => (await t.http().get(`/v1/admin/access-log?sessionId=${session.id}`).set(auth(admin))).body.data,
      (data: { action: string }[]) => data.length > 0,
    );
    expect(log[0]).toMatchObject({ actorId: 'rita', action: 'session.ws' });
    expect(JSON.stringify(log[0])).not.toContain('wst_');
  });
});

describe('session WebSocket limits and shutdown', () => {
  it('caps sockets per token with SSE streams, closes oversized messages with 1009 and closes with 1001 on shutdown', async () => {
    const t = await startTestApp({ env: { MAX_STREAMS_PER_TOKEN: '1', BODY_LIMIT: '2kb' } });
    const alice = await t.token('alice');
    const session = await createSession(t, alice);
    const url = `${t.baseUrl.replace('http', 'ws')}/v1/sessions/${session.id}/ws`;
    let closedByShutdown = false;
    try {
      const big = await openSocket(url, [`bearer.${alice}`]);
      big.send({ type: 'event', parts: text('x'.repeat(4_000)) });
      expect((await big.closed).code).toBe(1009);
      const first = await openSocket(url, [`bearer.${alice}`]);
      const second = await refusedUpgrade(url, [`bearer.${alice}`]);
      expect(second).toMatchObject({ status: 429, body: { code: 'stream/too_many_open' } });
      const sse = await fetch(`${t.baseUrl}/v1/sessions/${session.id}/stream`, { headers: auth(alice) });
      expect(sse.status).toBe(429);
      await t.close();
      closedByShutdown = true;
      expect(await first.closed).toEqual({ code: 1001, reason: expect.stringContaining('shutting down') });
    } finally {
      if (!closedByShutdown) await t.close();
    }
  });
});

describe('session WebSocket clients that misbehave', () => {
  let t: TestApp;
  let alice: string;

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        STREAM_WRITE_TIMEOUT_MS: '500',
        RATE_LIMIT_PER_MINUTE: '6',
        TRUST_PROXY: 'loopback',
        WS_PING_INTERVAL_MS: '150',
      },
    });
    alice = await t.token('alice');
  });
  afterAll(() => t.close());

  it('drops a client that stops reading, holding about one event for it, and frees its slot', async () => {
    const session = await createSession(t, alice);
    await seedHistory(t.db.url, session.id, 40, 512 * 1024); // 20 MB, more than the socket buffers take
    const socket = await openSocket(`${t.baseUrl.replace('http', 'ws')}/v1/sessions/${session.id}/ws`, [
      `bearer.${alice}`,
    ]);
    socket.ws.pause();
    const streams = t.app.get(OpenStreams);
    let most = 0;
    await eventually(
      async () => ((most = Math.max(most, streams.bufferedBytes)), streams.size),
      (open) => open === 0,
      10_000,
    );
    expect(most).toBeLessThan(2 * 1024 * 1024);
    socket.ws.resume();
    expect((await socket.closed).code).toBe(1006);
    expect(eventSeqs(socket.frames).length).toBeLessThan(40);
  }, 30_000);

  it('pings: keeps a client that answers, drops one that does not', async () => {
    const carol = await t.token('carol'); // a budget of its own (6 requests a minute here)
    const session = await createSession(t, carol);
    const url = `${t.baseUrl.replace('http', 'ws')}/v1/sessions/${session.id}/ws`;
    const answering = await openSocket(url, [`bearer.${carol}`]);
    const silent = await openSocket(url, [`bearer.${carol}`], undefined, { autoPong: false });
    let pings = 0;
    answering.ws.on('ping', () => pings++);
    expect((await silent.closed).code).toBe(1006); // terminated after one unanswered ping
    await eventually(
      async () => pings,
      (n) => n >= 3,
    );
    expect(answering.ws.readyState).toBe(answering.ws.OPEN);
    await answering.close();
  });

  it("counts each message against the token's rate budget, answering 429 frames past it", async () => {
    const session = await createSession(t, alice);
    const socket = await openSocket(`${t.baseUrl.replace('http', 'ws')}/v1/sessions/${session.id}/ws`, [
      `bearer.${alice}`,
    ]);
    for (let i = 0; i < 6; i++) socket.send({ type: 'resume', afterSeq: 0 });
    const frames = await socket.until((all) => all.some((f) => f.type === 'error'));
    expect(frames.find((f) => f.type === 'error')!.error).toMatchObject({ status: 429, code: 'rate_limit/exceeded' });
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    await socket.close();
  });

  it('limits failed upgrades per client address, as named by a trusted proxy', async () => {
    // Authentication comes first: the session does not matter (and alice's budget is spent above).
    const url = `${t.baseUrl.replace('http', 'ws')}/v1/sessions/${crypto.randomUUID()}/ws?ticket=wst_made-up`;
    const from = (address: string) => refusedUpgrade(url, undefined, { 'X-Forwarded-For': address });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await from('203.0.113.7')).status);
    expect(statuses.slice(0, 6)).toEqual([401, 401, 401, 401, 401, 401]);
    expect(statuses.slice(6)).toEqual([429, 429]);
    expect((await from('203.0.113.8')).status).toBe(401);
  });

  it('survives a client that resets its connection while its upgrade is being admitted', async () => {
    const { port } = new URL(t.baseUrl);
    for (let i = 0; i < 5; i++) {
      const socket = connect(Number(port), '127.0.0.1');
      socket.on('error', () => undefined);
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(
        `GET /v1/sessions/${crypto.randomUUID()}/ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n` +
          `Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n` +
          `Sec-WebSocket-Protocol: bearer.${alice}\r\n\r\n`,
      );
      socket.resetAndDestroy();
    }
    await eventually(
      async () => (await t.http().get('/health/live')).status,
      (status) => status === 200,
    );
  });
});
