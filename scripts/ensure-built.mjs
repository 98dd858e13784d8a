// Builds dist/ only when it is missing or older than what it is built from, so the CLIs (`npm run token`, …)
// start at once on a current build. Output goes to stderr: stdout stays the CLI's own (a token, a report).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BUILD_INFO = join(ROOT, 'dist', '.tsbuildinfo');
const INPUTS = ['src', 'prisma/schema.prisma', 'tsconfig.json', 'tsconfig.build.json'];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stat.mtimeMs);
}

const sources = Math.max(...INPUTS.map((input) => newestMtime(join(ROOT, input))));
const built = existsSync(BUILD_INFO) ? statSync(BUILD_INFO).mtimeMs : 0;
if (built < sources) {
  process.stderr.write(`dist/ is ${built ? 'older than src/' : 'missing'}: building it …\n`);
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    stdio: ['ignore', 2, 2],
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
  // tsc leaves the build info alone when no output changed; the next call must still see a current build.
  const now = new Date();
  utimesSync(BUILD_INFO, now, now);
}
