import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const PACKAGE = join(__dirname, '..');

// The service side (test/e2e/openapi-export.e2e-spec.ts) checks openapi.json against the running service; this
// checks the committed types against openapi.json. `npm run openapi:export` at the root regenerates both.
describe('generated API types', () => {
  it('are what openapi-typescript makes of openapi.json', () => {
    const cli = join(dirname(require.resolve('openapi-typescript/package.json')), 'bin', 'cli.js');
    const out = join(mkdtempSync(join(tmpdir(), 'openapi-types-')), 'api.ts');
    execFileSync(process.execPath, [cli, 'openapi.json', '--default-non-nullable', 'false', '--output', out], {
      cwd: PACKAGE,
      stdio: 'ignore',
    });
    const committed = readFileSync(join(PACKAGE, 'src', 'generated', 'api.ts'), 'utf8');
    const current = committed === readFileSync(out, 'utf8');
    expect({ current, fix: 'npm run openapi:export' }).toEqual({ current: true, fix: 'npm run openapi:export' });
  });
});
