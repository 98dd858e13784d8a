import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import semver from 'semver';

const ROOT = resolve(__dirname, '..', '..');
const read = (file: string) => JSON.parse(readFileSync(resolve(ROOT, file), 'utf8')) as Record<string, unknown>;

describe('installed packages and the oldest supported Node', () => {
  // so npm ci on that Node prints no EBADENGINE warning (README, the overrides that keep it so)
  it('every package in the lockfile accepts the Node version package.json promises', () => {
    const oldest = semver.minVersion((read('package.json').engines as { node: string }).node)!.version;
    const packages = read('package-lock.json').packages as Record<string, { engines?: unknown }>;
    const refusing = Object.entries(packages)
      .filter(([, entry]) => typeof (entry.engines as { node?: unknown })?.node === 'string')
      .filter(([, entry]) => !semver.satisfies(oldest, (entry.engines as { node: string }).node))
      .map(([path]) => path);
    expect(refusing).toEqual([]);
  });
});
