import { randomUUID } from 'node:crypto';
import { auth, createSession } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { sql } from '../helpers/test-database.js';

const forge = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Every list refuses what PostgreSQL cannot store with a 400 and a specific code, never a 500. */
describe('list parameters are checked against what the database can store', () => {
  let t: TestApp;
  let admin: string;
  let session: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '0', WORKER_ENABLED: 'false' } });
    admin = await t.token('root', 'admin');
    session = (await createSession(t, admin)).id;
    for (let i = 0; i < 3; i++) await createSession(t, admin, { parentId: session });
  });
  afterAll(() => t.close());

  const get = (path: string) => t.http().get(path).set(auth(admin));
  async function expect400(path: string, code: string): Promise<void> {
    const res = await get(path);
    expect({ path, status: res.status, code: res.body.code }).toEqual({ path, status: 400, code });
    expect(res.body.requestId).toEqual(expect.any(String));
  }

  const lists = () => [
    '/v1/sessions',
    `/v1/sessions/${session}/children`,
    `/v1/sessions/${session}/events`,
    `/v1/sessions/${session}/tasks`,
    '/v1/review/sessions',
    '/v1/admin/access-log',
  ];

  it.each(['0', '201', '1.5', 'abc', '-1', '1e20', ''])(
    'limit=%s on every list is pagination/invalid_limit',
    async (limit) => {
      for (const path of lists()) await expect400(`${path}?limit=${limit}`, 'pagination/invalid_limit');
    },
  );

  it.each(['-1', '2147483648', '1e20', '1.5', 'x'])(
    'after=%s on events and tasks is pagination/invalid_after',
    async (after) => {
      await expect400(`/v1/sessions/${session}/events?after=${after}`, 'pagination/invalid_after');
      await expect400(`/v1/sessions/${session}/tasks?after=${after}`, 'pagination/invalid_after');
    },
  );

  it.each([
    ['year 0000', forge(['0000-01-01T00:00:00.000Z', randomUUID()])],
    ['a negative year', forge(['-000100-01-01T00:00:00.000Z', randomUUID()])],
    ['a year past 9999', forge(['+012000-01-01T00:00:00.000Z', randomUUID()])],
    ['February 30', forge(['2024-02-30T00:00:00.000Z', randomUUID()])],
    ['a non-UUID id', forge(['2024-01-01T00:00:00.000Z', '12345678-1234-1234-1234-123456789012'])],
    ['garbage', 'not a cursor'],
  ])('a keyset cursor with %s is pagination/invalid_cursor', async (_label, cursor) => {
    for (const path of ['/v1/sessions', `/v1/sessions/${session}/children`, '/v1/review/sessions']) {
      await expect400(`${path}?cursor=${encodeURIComponent(cursor)}`, 'pagination/invalid_cursor');
    }
  });

  it.each(['9223372036854775808', '9999999999999999999', '-1', forge(['9223372036854775808']), forge([1])])(
    'an access-log cursor of %s is pagination/invalid_cursor',
    async (cursor) => {
      await expect400(`/v1/admin/access-log?cursor=${cursor}`, 'pagination/invalid_cursor');
    },
  );

  it.each([
    '0000-01-01',
    '-000001-01-01T00:00:00Z',
    '%2B275760-09-13T00:00:00Z',
    '2024-02-30',
    '2024-01-01T10:00:00',
    'yesterday',
  ])('review date %s is request/invalid_date in every date filter', async (date) => {
    for (const name of ['createdFrom', 'createdTo', 'activeFrom', 'activeTo']) {
      await expect400(`/v1/review/sessions?${name}=${date}`, 'request/invalid_date');
    }
  });

  it('the edges of the storable range are accepted', async () => {
    const res = await get('/v1/review/sessions?createdFrom=0001-01-01T00:00:00Z&createdTo=9999-12-31T23:59:59.999Z');
    expect(res.status).toBe(200);
    expect(res.body.data.length).toBeGreaterThan(0);
  });

  it('sessions created within one millisecond page one at a time without a gap', async () => {
    // Cursors carry milliseconds (a JSON timestamp); PostgreSQL keeps microseconds, so the store keeps milliseconds.
    const parent = (await createSession(t, admin)).id;
    const ids: string[] = [];
    for (const micros of ['000300', '000600', '000900']) {
      const child = (await createSession(t, admin, { parentId: parent })).id;
      await sql(t.db.url, `UPDATE sessions SET created_at = '2026-01-01T00:00:00.${micros}Z' WHERE id = $1`, [child]);
      ids.push(child);
    }
    const seen: string[] = [];
    let cursor = '';
    for (let page = 0; page < 5; page++) {
      const res = await get(`/v1/sessions/${parent}/children?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...res.body.data.map((s: { id: string }) => s.id));
      if (!res.body.nextCursor) break;
      cursor = res.body.nextCursor as string;
    }
    expect(seen.sort()).toEqual([...ids].sort());
  });

  it('cursors still page through every list without gaps or repeats', async () => {
    for (const path of ['/v1/sessions', `/v1/sessions/${session}/children`, '/v1/review/sessions']) {
      const first = await get(`${path}?limit=2`);
      const second = await get(`${path}?limit=2&cursor=${first.body.nextCursor}`);
      const ids = [...first.body.data, ...second.body.data].map((s: { id: string }) => s.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBeGreaterThanOrEqual(3);
    }
    await get(`/v1/sessions/${session}`);
    await get(`/v1/sessions/${session}/children`);
    await get(`/v1/sessions/${session}/events`);
    const log = await get('/v1/admin/access-log?limit=1');
    expect(log.body.nextCursor).toEqual(expect.any(String));
    const next = await get(`/v1/admin/access-log?limit=1&cursor=${log.body.nextCursor}`);
    expect(next.status).toBe(200);
    expect(BigInt(next.body.data[0].id)).toBeLessThan(BigInt(log.body.data[0].id));
  });
});
