import { setTimeout as sleep } from 'node:timers/promises';
import { auth } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

function metric(text: string, name: string): number {
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
}

describe('idle heap collection', () => {
  let t: TestApp;
  let admin: string;
  let committedAtBoot: number;

  beforeAll(async () => {
    t = await startTestApp({ env: { IDLE_GC_CHECK_MS: '300' } });
    committedAtBoot = process.memoryUsage().heapTotal;
    admin = await t.token('ops', 'admin');
  });
  afterAll(() => t.close());

  it('collects the garbage a burst left once the process is idle, and says so in /metrics', async () => {
    // a burst: objects that live long enough to reach the old generation, then become garbage. The collector
    // compares V8's committed heap with what it was at boot, and this process (a test worker) may hold hundreds
    // of megabytes already, so the burst grows it by half of that and more.
    const target = committedAtBoot * 1.5 + 64 * 2 ** 20;
    let burst: object[][] = [];
    for (let round = 0; round < 400 && process.memoryUsage().heapTotal <= target; round++) {
      burst.push(Array.from({ length: 100_000 }, (_, i) => ({ round, i, text: `garbage ${i}` })));
      await sleep(1);
    }
    expect(process.memoryUsage().heapTotal).toBeGreaterThan(target);
    const grown = process.memoryUsage().heapUsed;
    burst = [];
    expect(burst).toHaveLength(0);

    // poll slowly: the scrape itself keeps the event loop busy, and only a quiet interval counts as idle
    let text = '';
    for (let tries = 0; tries < 15 && !(metric(text, 'idle_gc_total') >= 1); tries++) {
      await sleep(1_000);
      text = (await t.http().get('/metrics').set(auth(admin))).text;
    }
    expect(metric(text, 'idle_gc_total')).toBeGreaterThanOrEqual(1);
    expect(metric(text, 'idle_gc_collected_bytes_total')).toBeGreaterThan(50 * 2 ** 20);
    expect(process.memoryUsage().heapUsed).toBeLessThan(grown - 50 * 2 ** 20);
  });
});
