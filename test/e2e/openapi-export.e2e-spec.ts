import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const ROOT = path.join(__dirname, '..', '..');
const COMMITTED = path.join(ROOT, 'packages', 'client', 'openapi.json');
const FIX = 'run `npm run openapi:export` and commit packages/client/openapi.json and src/generated/api.ts';

// The client package's types are generated from packages/client/openapi.json (its own test checks that); this
// checks that file against the service as it runs, so an endpoint changed without regenerating fails here.
describe('the OpenAPI document exported for the client package', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('is the document the running service serves', async () => {
    const served = (await t.http().get('/docs/openapi.json').expect(200)).body as object;
    const committed = JSON.parse(readFileSync(COMMITTED, 'utf8')) as object;
    const current = JSON.stringify(served) === JSON.stringify(committed);
    expect({ current, fix: FIX }).toEqual({ current: true, fix: FIX });
  });

  it('is written by the export without a database', () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'openapi-')), 'openapi.json');
    execFileSync(process.execPath, ['dist/openapi-export.js', out], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none' },
      stdio: 'pipe',
    });
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(COMMITTED, 'utf8'));
  });
});
