import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { OpenStreams } from '../../src/platform/http/open-streams.service.js';
import { auth, createSession, eventually, text } from '../helpers/factories.js';
import { seedHistory, stalledGet, type StalledClient } from '../helpers/seed-history.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const EVENT_BYTES = 512 * 1024;
const EVENTS = 40; // 20 MB: far more than the kernel's socket buffers take for a client that does not read

async function bigSession(t: TestApp, token: string): Promise<string> {
  const session = await createSession(t, token);
  await seedHistory(t.db.url, session.id, EVENTS, EVENT_BYTES);
  return session.id;
}

/** The most the service held for its clients over `ms`, once it has stopped writing. */
async function heldBytes(t: TestApp, ms: number): Promise<number> {
  const streams = t.app.get(OpenStreams);
  // the first page reaches the stalled socket later on a busy machine; measure from then
  await eventually(
    () => Promise.resolve(streams.bufferedBytes),
    (bytes) => bytes > 0,
    15_000,
  );
  await sleep(500);
  let most = 0;
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) most = Math.max(most, streams.bufferedBytes);
  return most;
}

describe('streams and exports to clients that stop reading', () => {
  let t: TestApp;
  let alice: string;
  let session: string;
  const stalled: StalledClient[] = [];

  beforeAll(async () => {
    t = await startTestApp({ env: { STREAM_WRITE_TIMEOUT_MS: '60000' } });
    alice = await t.token('alice');
    session = await bigSession(t, alice);
  });
  afterEach(() => stalled.splice(0).forEach((c) => c.destroy()));
  afterAll(() => t.close());

  it('seeds a valid hash chain', async () => {
    const verify = await t.http().get(`/v1/sessions/${session}/verify`).set(auth(alice));
    expect(verify.body).toMatchObject({ valid: true, eventCount: EVENTS });
  });

  it('stops reading the history while the stream client is not reading, and resumes when it reads', async () => {
    const client = await stalledGet(t.baseUrl, `/v1/sessions/${session}/stream`, alice);
    stalled.push(client);
    const held = await heldBytes(t, 1000);
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(EVENT_BYTES + 128 * 1024);

    const ids: number[] = [];
    let tail = '';
    client.socket.setEncoding('utf8');
    client.socket.on('data', (chunk: string) => {
      for (const match of (tail + chunk).matchAll(/\nid: (\d+)\n/g)) ids.push(Number(match[1]));
      tail = chunk.slice(-16);
    });
    client.socket.resume();
    await eventually(
      async () => ids.at(-1),
      (last) => last === EVENTS,
      15_000,
    );
    expect(ids).toEqual(Array.from({ length: EVENTS }, (_, i) => i + 1));
  }, 30_000);

  it('exports event by event at the pace of a client that is not reading', async () => {
    stalled.push(await stalledGet(t.baseUrl, `/v1/sessions/${session}/transcript?format=json`, alice));
    const held = await heldBytes(t, 1000);
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(EVENT_BYTES + 128 * 1024);
  });

  it('still exports every big event, in pages bounded by bytes', async () => {
    const res = await t
      .http()
      .get(`/v1/sessions/${session}/transcript?format=ndjson`)
      .set(auth(alice))
      .buffer(true)
      .parse((r, done) => {
        let lines = 0;
        r.on('data', (chunk: Buffer) => (lines += chunk.toString('latin1').split('\n').length - 1));
        r.on('end', () => done(null, lines));
      });
    expect(res.status).toBe(200);
    expect(res.body).toBe(EVENTS + 1);
  });
});

describe('limits per token', () => {
  let t: TestApp;
  let alice: string;
  let bob: string;
  const open: AbortController[] = [];

  beforeAll(async () => {
    t = await startTestApp({ env: { MAX_STREAMS_PER_TOKEN: '2', STREAM_WRITE_TIMEOUT_MS: '500' } });
    alice = await t.token('alice');
    bob = await t.token('bob');
  });
  afterEach(() => open.splice(0).forEach((c) => c.abort()));
  afterAll(() => t.close());

  const stream = async (token: string, sessionId: string) => {
    const controller = new AbortController();
    open.push(controller);
    const res = await fetch(`${t.baseUrl}/v1/sessions/${sessionId}/stream`, {
      headers: auth(token),
      signal: controller.signal,
    });
    return { res, controller };
  };

  it('answers 429 with Retry-After beyond MAX_STREAMS_PER_TOKEN open streams and exports, per token', async () => {
    const session = (await createSession(t, alice)).id;
    expect((await stream(alice, session)).res.status).toBe(200);
    const second = await stream(alice, session);
    expect(second.res.status).toBe(200);

    const third = await stream(alice, session);
    expect(third.res.status).toBe(429);
    expect(third.res.headers.get('retry-after')).toBe('5');
    expect(await third.res.json()).toMatchObject({
      statusCode: 429,
      code: 'stream/too_many_open',
      requestId: expect.any(String),
    });
    const exported = await t.http().get(`/v1/sessions/${session}/transcript`).set(auth(alice));
    expect(exported.status).toBe(429);
    const turn = await t
      .http()
      .post(`/v1/sessions/${session}/events`)
      .set({ ...auth(alice), Accept: 'text/event-stream' })
      .send({ parts: text('hi') });
    expect(turn.status).toBe(429);
    expect((await t.http().get(`/v1/sessions/${session}/events`).set(auth(alice))).body.data).toHaveLength(0);

    const bobs = (await createSession(t, bob)).id;
    expect((await stream(bob, bobs)).res.status).toBe(200);

    second.controller.abort();
    await eventually(
      async () => (await stream(alice, session)).res.status,
      (status) => status === 200,
      5_000,
    );
  });

  it('counts A2A streams (JSON-RPC and HTTP+JSON) against the same per-token cap as REST streams', async () => {
    const a2aStream = async (binding: 'jsonrpc' | 'rest', text: string) => {
      const controller = new AbortController();
      open.push(controller);
      const message = { kind: 'message', messageId: randomUUID(), role: 'user', parts: [{ kind: 'text', text }] };
      const [path, body] =
        binding === 'jsonrpc'
          ? ['jsonrpc', { jsonrpc: '2.0', id: 1, method: 'message/stream', params: { message } }]
          : ['rest/message:stream', { message: { messageId: randomUUID(), role: 'ROLE_USER', parts: [{ text }] } }];
      const res = await fetch(`${t.baseUrl}/a2a/echo/${path}`, {
        method: 'POST',
        headers: {
          ...auth(alice),
          'Content-Type': 'application/json',
          Accept: 'text/event-stream',
          ...(binding === 'rest' ? { 'A2A-Version': '1.0' } : {}),
        },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      return res;
    };
    await eventually(
      async () => t.app.get(OpenStreams).size,
      (n) => n === 0,
      5_000,
    );
    const first = await a2aStream('jsonrpc', '/sleep 3000 slow');
    expect(first.headers.get('content-type')).toContain('text/event-stream');
    const second = await a2aStream('rest', '/sleep 3000 slow');
    expect(second.headers.get('content-type')).toContain('text/event-stream');

    const session = (await createSession(t, alice)).id;
    expect((await stream(alice, session)).res.status).toBe(429);
    const third = await a2aStream('jsonrpc', 'one more');
    expect(await third.json()).toMatchObject({ jsonrpc: '2.0', error: { code: expect.any(Number) } });

    open.splice(0).forEach((c) => c.abort());
    await eventually(
      async () => t.app.get(OpenStreams).size,
      (n) => n === 0,
      5_000,
    );
    await sleep(3_500); // the slow turns end before the app is closed
  });

  it('closes a stream or export whose client has not taken a write within STREAM_WRITE_TIMEOUT_MS, freeing its slot', async () => {
    const session = await bigSession(t, alice);
    for (const path of [`/v1/sessions/${session}/stream`, `/v1/sessions/${session}/transcript?format=csv`]) {
      const clients = [await stalledGet(t.baseUrl, path, alice), await stalledGet(t.baseUrl, path, alice)];
      await eventually(
        async () => t.app.get(OpenStreams).size,
        (n) => n === 2,
        5_000,
      );
      expect((await t.http().get(path).set(auth(alice))).status).toBe(429);
      await eventually(
        async () => t.app.get(OpenStreams).size,
        (n) => n === 0,
        5_000,
      );
      for (const client of clients) {
        const received = await client.drain();
        expect(received).toBeLessThan(EVENTS * EVENT_BYTES);
      }
    }
  }, 30_000);
});

describe("one token's clients that stop reading, and every other token", () => {
  const MAX_STREAMS = 4;
  const BUDGET = 4 * EVENT_BYTES;
  let t: TestApp;
  let alice: string;
  let bob: string;
  let admin: string;
  const stalled: StalledClient[] = [];

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        MAX_STREAMS_PER_TOKEN: String(MAX_STREAMS),
        STREAM_WRITE_TIMEOUT_MS: '60000',
        STREAM_MEMORY_BUDGET_BYTES: String(BUDGET),
        STREAM_MEMORY_SHARE_BYTES: String(EVENT_BYTES),
      },
    });
    [alice, bob, admin] = await Promise.all([t.token('alice'), t.token('bob'), t.token('ops', 'admin')]);
  });
  afterAll(async () => {
    stalled.splice(0).forEach((c) => c.destroy());
    await t.close();
  });

  /** The budget's bytes [held, waiting], read from /metrics. */
  const budgetBytes = async () => {
    const metrics = (await t.http().get('/metrics').set(auth(admin))).text;
    const bytes = (state: string) =>
      Number(new RegExp(`stream_budget_bytes\\{state="${state}"\\} (\\d+)`).exec(metrics)?.[1]);
    return [bytes('held'), bytes('waiting')];
  };

  /** Waits until pages wait for the budget and nothing has moved for a second (every client is stuck). */
  const stuckBudget = async () => {
    const samples: string[] = [];
    return eventually(
      async () => {
        samples.push(JSON.stringify(await budgetBytes()));
        await sleep(200);
        return samples.slice(-5).map((sample) => JSON.parse(sample) as number[]);
      },
      (last) => last.length === 5 && new Set(last.map(String)).size === 1 && last[0][1] > 0,
      30_000,
    );
  };

  it("exports another token's session at once while one token's stalled streams and exports wait at its share", async () => {
    const alices = await bigSession(t, alice);
    const bobs = (await createSession(t, bob)).id;
    await seedHistory(t.db.url, bobs, 8, EVENT_BYTES);
    for (let i = 0; i < MAX_STREAMS; i++) {
      const path = i % 2 ? `/v1/sessions/${alices}/transcript?format=csv` : `/v1/sessions/${alices}/stream`;
      stalled.push(await stalledGet(t.baseUrl, path, alice));
    }
    // Alice's sockets are full: her streams hold what they read last, and her next pages wait for the budget.
    await stuckBudget();
    expect(stalled.every((c) => !c.closed)).toBe(true);

    const started = Date.now();
    const res = await t
      .http()
      .get(`/v1/sessions/${bobs}/transcript?format=ndjson`)
      .set(auth(bob))
      .timeout(10_000)
      .buffer(true)
      .parse((r, done) => {
        let lines = 0;
        r.on('data', (chunk: Buffer) => (lines += chunk.toString('latin1').split('\n').length - 1));
        r.on('end', () => done(null, lines));
      });
    expect({ status: res.status, lines: res.body }).toEqual({ status: 200, lines: 9 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(stalled.every((c) => !c.closed)).toBe(true);
  }, 60_000);
});
