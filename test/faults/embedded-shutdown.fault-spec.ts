import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort, ServiceProcess } from '../helpers/service-process.js';

/** What a newcomer sees: `npm start` on the embedded database, then Ctrl-C or a SIGTERM. */
describe('a clean shutdown on the embedded database', () => {
  it('logs no warning and leaves no database server running', async () => {
    const root = resolve(__dirname, '..', '..');
    mkdirSync(resolve(root, '.data'), { recursive: true });
    const folder = mkdtempSync(resolve(root, '.data', 'shutdown-pg-'));
    const dir = resolve(folder, 'pg');
    const service = await ServiceProcess.start({
      DATABASE_URL: '',
      EMBEDDED_PG_DIR: dir,
      EMBEDDED_PG_PORT: String(await freePort()),
      LOG_LEVEL: 'info',
    });
    try {
      await service.waitHealthy(60_000);
      service.kill('SIGTERM');
      await service.exited();
      expect(service.output).toContain('embedded PostgreSQL is at');
      const warnings = service.output.split('\n').filter((line) => /"level":(40|50|60)/.test(line));
      expect(warnings).toEqual([]);
      expect(existsSync(resolve(dir, 'postmaster.pid'))).toBe(false);
    } finally {
      service.kill('SIGKILL');
      rmSync(folder, { recursive: true, force: true });
    }
  }, 90_000);
});
