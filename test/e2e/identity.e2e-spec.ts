import { readFileSync } from 'node:fs';
import { auth } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { TokensService } from '../../src/identity/tokens/tokens.service.js';

describe('who am I, and which service is this', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('GET /v1/me answers with the identity behind the token', async () => {
    const issued = await t.app
      .get(TokensService)
      .issue({ userId: 'alice', role: 'reviewer', name: 'laptop', ttlSeconds: 3600 });
    const res = await t.http().get('/v1/me').set(auth(issued.token));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      userId: 'alice',
      role: 'reviewer',
      tokenId: issued.record.id,
      tokenName: 'laptop',
      expiresAt: issued.record.expiresAt?.toISOString(),
    });
  });

  it('says null for a token without a name or an expiry, whatever the role', async () => {
    for (const role of ['user', 'admin'] as const) {
      const res = await t
        .http()
        .get('/v1/me')
        .set(auth(await t.token(`u-${role}`, role)));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ userId: `u-${role}`, role, tokenName: null, expiresAt: null });
    }
  });

  it('answers 401 without a valid token, and after revocation', async () => {
    expect((await t.http().get('/v1/me')).status).toBe(401);
    const token = await t.token('bob');
    expect((await t.http().get('/v1/me').set(auth(token))).status).toBe(200);
    await t.app.get(TokensService).revoke(token.slice(0, 12));
    const res = await t.http().get('/v1/me').set(auth(token));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('auth/unauthorized');
  });

  it('documents /v1/me and takes the API version from package.json', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const res = await t.http().get('/docs/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.info.version).toBe(version);
    expect(res.body.info.version).not.toBe('1.0');
    expect(res.body.paths['/v1/me'].get).toBeDefined();
    const schema = res.body.components.schemas.MeDto;
    expect(Object.keys(schema.properties).sort()).toEqual([
      'agentIds',
      'expiresAt',
      'role',
      'tokenId',
      'tokenName',
      'userId',
    ]);
  });
});
