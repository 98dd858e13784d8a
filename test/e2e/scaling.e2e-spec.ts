import { randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { auth } from '../helpers/factories.js';
import { freePort, ServiceProcess } from '../helpers/service-process.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const LIMIT = 10;

/** Two instances on one database (and, with `redis`, one Redis under a key prefix no other run uses). */
async function twoInstances(db: TestDatabase, redis: boolean): Promise<[TestApp, TestApp]> {
  const env: Record<string, string> = { RATE_LIMIT_PER_MINUTE: String(LIMIT), WORKER_ENABLED: 'false' };
  if (redis) Object.assign(env, { REDIS_URL, REDIS_KEY_PREFIX: `test-${randomBytes(6).toString('hex')}:` });
  const a = await startTestApp({ db, env });
  const b = await startTestApp({ db, env });
  return [a, b];
}

async function statuses(app: TestApp, count: number, headers: Record<string, string>): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < count; i++) seen.push((await app.http().get('/v1/sessions').set(headers)).status);
  return seen;
}

describe('rate limits shared through Redis (REDIS_URL)', () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    [a, b] = await twoInstances(db, true);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  it('spends one budget per token across instances: 6 on A and 6 on B leave the 11th and 12th with 429', async () => {
    const token = await a.token('shared-user');
    expect(await statuses(a, 6, auth(token))).toEqual([200, 200, 200, 200, 200, 200]);
    expect(await statuses(b, 6, auth(token))).toEqual([200, 200, 200, 200, 429, 429]);
    const limited = await a.http().get('/v1/sessions').set(auth(token));
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ code: 'rate_limit/exceeded' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const other = await b.token('other-user');
    expect((await b.http().get('/v1/sessions').set(auth(other))).status).toBe(200);
  });

  // Last in this block: it blocks the loopback address on both instances for a minute.
  it('spends one budget of failed authentications per address across instances', async () => {
    const bad = auth(`not-a-token-${randomUUID()}`);
    expect(await statuses(a, 6, bad)).toEqual([401, 401, 401, 401, 401, 401]);
    expect(await statuses(b, 6, bad)).toEqual([401, 401, 401, 401, 429, 429]);
  });
});

describe('rate limits without REDIS_URL', () => {
  it('gives each instance its own budget', async () => {
    const db = await createTestDatabase();
    const [a, b] = await twoInstances(db, false);
    try {
      const token = await a.token('alone');
      expect(await statuses(a, 6, auth(token))).toEqual([200, 200, 200, 200, 200, 200]);
      expect(await statuses(b, 6, auth(token))).toEqual([200, 200, 200, 200, 200, 200]);
      expect(await statuses(a, 5, auth(token))).toEqual([200, 200, 200, 200, 429]);
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  });
});

describe('Redis down at boot', () => {
  it('stops the service with a clear message instead of counting alone', async () => {
    const db = await createTestDatabase();
    const deadPort = await freePort();
    try {
      const started = ServiceProcess.start({
        DATABASE_URL: db.url,
        REDIS_URL: `redis://user:secret@127.0.0.1:${deadPort}`,
        WORKER_ENABLED: 'false',
      });
      await expect(started).rejects.toThrow(
        new RegExp(`service exited with 1:[^]*Redis at redis://127\\.0\\.0\\.1:${deadPort} is not reachable`),
      );
      await expect(started).rejects.not.toThrow(/secret/);
    } finally {
      await db.drop();
    }
  });
});

describe('Redis lost while running', () => {
  it('answers 503 rate_limit/unavailable instead of letting requests through uncounted, and recovers', async () => {
    const relay = await tcpRelay(new URL(REDIS_URL));
    const env = { REDIS_URL: `redis://127.0.0.1:${relay.port}`, REDIS_KEY_PREFIX: `test-${randomUUID()}:` };
    const t = await startTestApp({ env: { ...env, WORKER_ENABLED: 'false' } });
    try {
      const token = await t.token('during-outage');
      expect((await t.http().get('/v1/sessions').set(auth(token))).status).toBe(200);
      relay.cut();
      const refused = await t.http().get('/v1/sessions').set(auth(token));
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ code: 'rate_limit/unavailable' });
      expect(refused.headers['retry-after']).toBe('2');
      expect(JSON.stringify(refused.body)).not.toMatch(/stream|enableOfflineQueue|ECONN/i);
      expect((await t.http().get('/health/live')).status).toBe(200);
      relay.restore();
      await waitFor(async () => (await t.http().get('/v1/sessions').set(auth(token))).status === 200, 10_000);
    } finally {
      relay.restore();
      await t.close();
      await relay.close();
    }
  });
});

describe('client addresses behind a proxy (TRUST_PROXY)', () => {
  async function failedAuths(t: TestApp, forwardedFor: string, count: number): Promise<number[]> {
    const headers = { ...auth(`bad-${randomUUID()}`), 'X-Forwarded-For': forwardedFor };
    return statuses(t, count, headers);
  }

  it('counts failed authentications per forwarded client when the proxy is trusted', async () => {
    const t = await startTestApp({
      env: { RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: 'loopback', WORKER_ENABLED: 'false' },
    });
    try {
      expect(await failedAuths(t, '203.0.113.7', 4)).toEqual([401, 401, 401, 429]);
      expect(await failedAuths(t, '203.0.113.8', 1)).toEqual([401]);
    } finally {
      await t.close();
    }
  });

  it('ignores X-Forwarded-For without TRUST_PROXY: every request counts against the connecting address', async () => {
    const t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '3', WORKER_ENABLED: 'false' } });
    try {
      expect(await failedAuths(t, '203.0.113.7', 3)).toEqual([401, 401, 401]);
      expect(await failedAuths(t, '203.0.113.8', 1)).toEqual([429]);
    } finally {
      await t.close();
    }
  });
});

describe('HTTP keep-alive behind a proxy', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { HTTP_KEEPALIVE_TIMEOUT_MS: '1500', WORKER_ENABLED: 'false' } });
  });
  afterAll(() => t?.close());

  it('applies the configured keep-alive and a longer headers timeout to the server', () => {
    const server: Server = t.app.getHttpServer();
    expect(server.keepAliveTimeout).toBe(1500);
    expect(server.headersTimeout).toBe(2500);
  });

  it('keeps an idle keep-alive socket open until HTTP_KEEPALIVE_TIMEOUT_MS, then closes it', async () => {
    const { port } = new URL(t.baseUrl);
    const socket = connect(Number(port), '127.0.0.1');
    const closedAt = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
    const answeredAt = await requestOnce(socket);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(socket.destroyed).toBe(false);
    expect(socket.readyState).toBe('open');
    const idleMs = (await closedAt) - answeredAt;
    expect(idleMs).toBeGreaterThanOrEqual(1400);
    expect(idleMs).toBeLessThan(4000);
  });
});

/** Sends one keep-alive request and resolves when its whole (small) response has arrived. */
function requestOnce(socket: Socket): Promise<number> {
  return new Promise((resolve, reject) => {
    let received = '';
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
      const headerEnd = received.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(received);
      if (headerEnd >= 0 && length && received.length >= headerEnd + 4 + Number(length[1])) {
        expect(received).toMatch(/^HTTP\/1\.1 200 /);
        expect(received).not.toMatch(/connection: close/i);
        resolve(Date.now());
      }
    });
    socket.write('GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A TCP relay to Redis whose connections can be cut (and new ones refused) to simulate Redis going away. */
async function tcpRelay(target: URL) {
  const sockets = new Set<Socket>();
  let down = false;
  const server = createServer((client) => {
    if (down) return client.destroy();
    const upstream = connect(Number(target.port || 6379), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cut: () => {
      down = true;
      for (const socket of sockets) socket.destroy();
    },
    restore: () => (down = false),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
