import { EmbeddedPgProcess } from '../helpers/embedded-pg-process.js';
import { cliToken, ServiceProcess } from '../helpers/service-process.js';

/** Its own PostgreSQL (embedded), so it can be stopped and started without touching anything else. */
describe('PostgreSQL restart under load', () => {
  it('answers 503 with Retry-After while the database is down, reports it in /health, and recovers by itself', async () => {
    const pg = await EmbeddedPgProcess.create();
    const url = await pg.start();
    const service = await ServiceProcess.start({
      DATABASE_URL: url,
      RATE_LIMIT_PER_MINUTE: '0',
      WORKER_POLL_MS: '200',
    });
    try {
      const token = await cliToken(url, 'restart');
      const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
      const created = await fetch(`${service.baseUrl}/v1/sessions`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ agentId: 'echo' }),
      });
      const { id } = (await created.json()) as { id: string };
      const post = () =>
        fetch(`${service.baseUrl}/v1/sessions/${id}/events`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ parts: [{ kind: 'text', text: 'ping' }] }),
          signal: AbortSignal.timeout(8000),
        });
      expect((await post()).status).toBe(202);
      // background load: 8 clients posting back to back for the whole restart
      const seen = new Map<number, number>();
      let loading = true;
      const load = Array.from({ length: 8 }, async () => {
        while (loading) {
          const status = await post().then(
            (r) => r.status,
            () => -1,
          );
          seen.set(status, (seen.get(status) ?? 0) + 1);
          if (status !== 202) await new Promise((r) => setTimeout(r, 50));
        }
      });
      await new Promise((r) => setTimeout(r, 300));

      await pg.stop();
      const down = await post();
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toBeTruthy();
      expect(await down.json()).toMatchObject({ statusCode: 503, code: 'database/unavailable' });
      const health = await fetch(`${service.baseUrl}/health`, { signal: AbortSignal.timeout(8000) });
      expect(health.status).toBe(503);
      expect(((await health.json()) as { error: { database: { status: string } } }).error.database.status).toBe('down');
      expect(service.exitCode).toBeNull();

      await pg.start();
      const deadline = Date.now() + 20_000;
      let status = 0;
      while (Date.now() < deadline && status !== 202) {
        status = await post().then(
          (r) => r.status,
          () => 0,
        );
        if (status !== 202) await new Promise((r) => setTimeout(r, 250));
      }
      expect(status).toBe(202);
      loading = false;
      await Promise.all(load);
      expect([...seen.keys()].sort()).toEqual([202, 503]);
      expect((await fetch(`${service.baseUrl}/health`)).status).toBe(200);
      const events = await fetch(`${service.baseUrl}/v1/sessions/${id}/events`, { headers });
      const seqs = ((await events.json()) as { data: { seq: number }[] }).data.map((e) => e.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    } finally {
      await service.stop();
      await pg.exit();
    }
  }, 120_000);
});
