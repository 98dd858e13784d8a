import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import semver from 'semver';

const ROOT = resolve(__dirname, '..', '..');
const read = (file: string) => JSON.parse(readFileSync(resolve(ROOT, file), 'utf8')) as Record<string, unknown>;

/** No release of these supports Node 20 (README, requirements line); everything else must. */
const KNOWN_NODE_22_ONLY = ['node_modules/nestjs-pino', 'node_modules/@prisma/streams-local'];

describe('installed packages and the oldest supported Node', () => {
  it('every package in the lockfile accepts the Node version package.json promises', () => {
    const oldest = semver.minVersion((read('package.json').engines as { node: string }).node)!.version;
    const packages = read('package-lock.json').packages as Record<string, { engines?: unknown }>;
    const refusing = Object.entries(packages)
      .filter(([, entry]) => typeof (entry.engines as { node?: unknown })?.node === 'string')
      .filter(([, entry]) => !semver.satisfies(oldest, (entry.engines as { node: string }).node))
      .map(([path]) => path);
    expect(refusing.sort()).toEqual([...KNOWN_NODE_22_ONLY].sort());
  });
});
