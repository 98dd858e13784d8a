import { setTimeout as sleep } from 'node:timers/promises';
import { auth } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

function metric(text: string, name: string): number {
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
}

describe('idle heap collection', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { IDLE_GC_CHECK_MS: '300' } });
    admin = await t.token('ops', 'admin');
  });
  afterAll(() => t.close());

  it('collects the garbage a burst left once the process is idle, and says so in /metrics', async () => {
    // a burst: objects that live long enough to reach the old generation, then become garbage
    let burst: object[][] = [];
    for (let round = 0; round < 20; round++) {
      burst.push(Array.from({ length: 100_000 }, (_, i) => ({ round, i, text: `garbage ${i}` })));
      await sleep(1);
    }
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
