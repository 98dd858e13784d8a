import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

/** Runs scripts/ensure-built.mjs in a throwaway project laid out like this one; returns its stderr. */
function ensureBuilt(dir: string): { stderr: string; ms: number } {
  const started = Date.now();
  const run = spawnSync(process.execPath, [join(dir, 'scripts', 'ensure-built.mjs')], { cwd: dir, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`ensure-built exited with ${run.status}: ${run.stderr}`);
  return { stderr: run.stderr, ms: Date.now() - started };
}

describe('scripts/ensure-built.mjs (the CLIs build only when dist/ is stale)', () => {
  let dir: string;
  const buildInfo = () => join(dir, 'dist', '.tsbuildinfo');

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ensure-built-'));
    mkdirSync(join(dir, 'scripts'));
    mkdirSync(join(dir, 'src'));
    copyFileSync(join(ROOT, 'scripts', 'ensure-built.mjs'), join(dir, 'scripts', 'ensure-built.mjs'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    const compilerOptions = {
      rootDir: './src',
      outDir: './dist',
      incremental: true,
      tsBuildInfoFile: './dist/.tsbuildinfo',
      types: [],
    };
    writeFileSync(join(dir, 'tsconfig.build.json'), JSON.stringify({ compilerOptions, include: ['src'] }));
    writeFileSync(join(dir, 'src', 'main.ts'), 'export const answer: number = 1;\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds when dist/ is missing', () => {
    expect(ensureBuilt(dir).stderr).toMatch(/dist\/ is missing: building/);
    expect(readFileSync(join(dir, 'dist', 'main.js'), 'utf8')).toContain('answer = 1');
  }, 60_000);

  it('does nothing, quickly, when dist/ is current', () => {
    const before = statSync(buildInfo()).mtimeMs;
    const run = ensureBuilt(dir);
    expect(run.stderr).toBe('');
    expect(statSync(buildInfo()).mtimeMs).toBe(before);
    expect(run.ms).toBeLessThan(2_000);
  });

  it('rebuilds when a source file is newer than the build', () => {
    const before = statSync(buildInfo()).mtimeMs;
    writeFileSync(join(dir, 'src', 'main.ts'), 'export const answer: number = 2;\n');
    const later = new Date(before + 5_000);
    utimesSync(join(dir, 'src', 'main.ts'), later, later);
    expect(ensureBuilt(dir).stderr).toMatch(/older than src\/: building/);
    expect(readFileSync(join(dir, 'dist', 'main.js'), 'utf8')).toContain('answer = 2');
    expect(statSync(buildInfo()).mtimeMs).toBeGreaterThan(before);
  }, 60_000);
});
