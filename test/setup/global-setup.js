// Loaded by Node's own require (not transformed by Jest): plain CommonJS, no .js-suffixed TypeScript imports.
const { execFileSync, spawn } = require('node:child_process');
const { existsSync, readdirSync, statSync, utimesSync } = require('node:fs');
const { createServer } = require('node:net');
const { join, resolve } = require('node:path');
const { createInterface } = require('node:readline');

const ROOT = resolve(__dirname, '..', '..');
const BUILD_INFO = join(ROOT, 'dist', '.tsbuildinfo');
const EMBEDDED_CLI = join(ROOT, 'dist', 'cli', 'embedded-postgres.cli.js');

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stat.mtimeMs);
}

/**
 * Some tests run the built service and CLIs (dist/main.js, dist/cli/*.js), and the embedded test database runs
 * through one of them: build dist/ when it is missing or older than src/, and say so.
 */
function ensureBuilt() {
  const sources = Math.max(
    newestMtime(join(ROOT, 'src')),
    newestMtime(join(ROOT, 'tsconfig.json')),
    newestMtime(join(ROOT, 'tsconfig.build.json')),
  );
  const built = existsSync(BUILD_INFO) ? statSync(BUILD_INFO).mtimeMs : 0;
  if (built >= sources) return;
  process.stderr.write(
    `\n[test setup] dist/ is ${built ? 'older than src/' : 'missing'}: building it (tsc -p tsconfig.build.json) …\n`,
  );
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  const now = new Date();
  utimesSync(BUILD_INFO, now, now); // tsc leaves it alone when no output changed
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** Starts the production embedded PostgreSQL (src/platform/database/embedded-database.ts) through its CLI. */
async function startEmbedded() {
  const port = Number(process.env.TEST_POSTGRES_PORT || (await freePort()));
  const dir = join(ROOT, '.data', 'test-postgres');
  const child = spawn(process.execPath, [EMBEDDED_CLI, '--dir', dir, '--port', String(port)], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const reply = await new Promise((resolveReply, reject) => {
    createInterface({ input: child.stdout }).once('line', resolveReply);
    child.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited with ${code}`)));
    child.stdin.write('start\n');
  });
  if (!reply.startsWith('ready ')) throw new Error(`embedded PostgreSQL did not start: ${reply}`);
  globalThis.__EMBEDDED_PG__ = child;
  return reply.slice('ready '.length);
}

/**
 * The repository, e2e and fault tests need a PostgreSQL server on which they may create and drop databases:
 * DATABASE_URL's server when set, else an embedded one (stopped again in global-teardown; TEST_POSTGRES_PORT
 * picks its port, a free one otherwise). Each test file makes its own database. Several projects share this
 * setup; it runs once.
 */
module.exports = async function globalSetup() {
  if (globalThis.__TEST_SETUP_DONE__) return;
  globalThis.__TEST_SETUP_DONE__ = true;
  ensureBuilt();
  process.env.TEST_ADMIN_DATABASE_URL = process.env.DATABASE_URL || (await startEmbedded());
};
