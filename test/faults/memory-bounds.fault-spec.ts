import { setTimeout as sleep } from 'node:timers/promises';
import { seedHistory, stalledGet, type StalledClient } from '../helpers/seed-history.js';
import { cliToken, ServiceProcess } from '../helpers/service-process.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const MB = 1024 * 1024;
/** events as big as a request body may be (BODY_LIMIT 1mb) */
const EVENT_BYTES = 1024 * 1024;
const SESSION_BYTES = 100 * MB;
const CONNECTIONS = 50;
/** the target: RSS growth while the clients hold their connections */
const TARGET = 100 * MB;
/** the heap limit the service runs with (NODE_OPTIONS below, as in production) */
const HEAP_LIMIT = 256 * MB;
/**
 * Long enough for every client's socket buffers to fill (about 3.5 MB each on loopback here, 175 MB for all),
 * after which the service reads nothing more for them: the peak comes before that.
 */
const WATCH_MS = 15_000;
/** Far below the unbounded case (GBs) but high enough to show how far past the budget a failure went. */
const KILL_AT = 3 * TARGET;

interface Watch {
  idle: number;
  peak: number;
  healthFailures: number;
}

/**
 * RSS at rest: the most of ten samples over two seconds, since right after start it still moves by tens of MB
 * as V8 and the allocator hand memory back, and one low sample would count that as growth.
 */
async function idleRss(service: ServiceProcess): Promise<number> {
  let most = 0;
  for (let i = 0; i < 10; i++) {
    most = Math.max(most, await service.rssBytes());
    await sleep(200);
  }
  return most;
}

/**
 * Opens clients that never read, watches the service's RSS and /health for WATCH_MS, and kills the service
 * as soon as RSS passes idle + KILL_AT, so a regression fails fast instead of exhausting the machine.
 */
async function watchStalled(
  service: ServiceProcess,
  paths: string[],
  token: string,
): Promise<Watch & { clients: StalledClient[] }> {
  await sleep(1_000);
  const idle = await idleRss(service);
  const clients = await Promise.all(paths.map((path) => stalledGet(service.baseUrl, path, token)));
  let peak = idle;
  let healthFailures = 0;
  for (const end = Date.now() + WATCH_MS; Date.now() < end;) {
    if (service.exitCode !== null || service.exitSignal !== null) {
      throw new Error(`the service exited (${service.exitCode ?? service.exitSignal}): ${service.output.slice(-2000)}`);
    }
    peak = Math.max(peak, await service.rssBytes());
    if (peak > idle + KILL_AT) {
      service.kill('SIGKILL');
      break;
    }
    // 5 s: an answer, not a fast one, on a 2-core machine that is also running the clients and PostgreSQL
    const health = await fetch(`${service.baseUrl}/health`, { signal: AbortSignal.timeout(5_000) }).then(
      (r) => r.status,
      () => 0,
    );
    if (health !== 200) healthFailures++;
    await sleep(200);
  }
  return { idle, peak, healthFailures, clients };
}

describe(`${CONNECTIONS} clients that never read, on a ${SESSION_BYTES / MB} MB session`, () => {
  let db: TestDatabase;
  let token: string;
  let session: string;
  let service: ServiceProcess | undefined;
  let clients: StalledClient[] = [];
  const env = () => ({
    DATABASE_URL: db.url,
    MAX_STREAMS_PER_TOKEN: String(CONNECTIONS),
    STREAM_WRITE_TIMEOUT_MS: '120000',
    // As in production (Dockerfile, README): without a heap limit V8 leaves written events' garbage uncollected.
    NODE_OPTIONS: `--max-old-space-size=${HEAP_LIMIT / MB}`,
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    service = await ServiceProcess.start(env());
    token = await cliToken(db.url, 'hog');
    const res = await fetch(`${service.baseUrl}/v1/sessions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ agentId: 'echo' }),
    });
    session = ((await res.json()) as { id: string }).id;
    await seedHistory(db.url, session, Math.ceil(SESSION_BYTES / EVENT_BYTES), EVENT_BYTES);
    await service.stop();
  }, 120_000);
  afterEach(async () => {
    clients.splice(0).forEach((c) => c.destroy());
    await service?.stop();
  });
  afterAll(() => db?.drop());

  const check = (running: ServiceProcess, watch: Watch, open: StalledClient[]) => {
    const grew = Math.round((watch.peak - watch.idle) / MB);
    process.stdout.write(
      `idle ${Math.round(watch.idle / MB)} MB, peak ${Math.round(watch.peak / MB)} MB, grew ${grew} MB\n`,
    );
    expect({
      grewMB: grew <= TARGET / MB ? `at most ${TARGET / MB}` : grew,
      alive: !running.hasExited,
      healthFailures: watch.healthFailures,
      closed: open.filter((c) => c.closed).length,
    }).toEqual({ grewMB: `at most ${TARGET / MB}`, alive: true, healthFailures: 0, closed: 0 });
  };

  it(`session streams keep RSS growth within +${TARGET / MB} MB and /health answering`, async () => {
    service = await ServiceProcess.start(env());
    const watch = await watchStalled(
      service,
      Array.from({ length: CONNECTIONS }, () => `/v1/sessions/${session}/stream`),
      token,
    );
    clients = watch.clients;
    check(service, watch, clients);
  }, 60_000);

  it(`transcript exports keep RSS growth within +${TARGET / MB} MB and /health answering`, async () => {
    service = await ServiceProcess.start(env());
    const formats = ['json', 'ndjson', 'markdown', 'csv'];
    const paths = Array.from(
      { length: CONNECTIONS },
      (_, i) => `/v1/sessions/${session}/transcript?format=${formats[i % 4]}`,
    );
    const watch = await watchStalled(service, paths, token);
    clients = watch.clients;
    check(service, watch, clients);
  }, 60_000);
});
