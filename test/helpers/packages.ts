import { execFile, execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '..', '..');
const run = promisify(execFile);

/**
 * Builds the workspace packages (incremental tsc: quick when current) for tests that run them in a separate
 * Node process, the way an application installs them. The client first: the adapters compile against it.
 */
export function buildPackages(): void {
  const tsc = require.resolve('typescript/bin/tsc');
  for (const name of ['client', 'openai-agents', 'adk']) {
    execFileSync(process.execPath, [tsc, '-p', `packages/${name}/tsconfig.build.json`], { cwd: ROOT, stdio: 'pipe' });
  }
}

/** Runs a fixture script in a new Node process and parses the JSON it prints last. */
export async function runFixture<T>(script: string, env: Record<string, string>): Promise<T> {
  const { stdout } = await run(process.execPath, [resolve(ROOT, 'test', 'fixtures', script)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}
