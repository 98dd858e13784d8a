import fc from 'fast-check';
import { canonicalJson } from '../../src/platform/json/canonical-json.js';
import { auth } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/** Keys that class-transformer and prototype-stripping used to drop; JSON.parse makes each an own key. */
const SPECIAL_KEYS = [
  'toString',
  'constructor',
  'valueOf',
  'hasOwnProperty',
  '__proto__',
  'prototype',
  'isPrototypeOf',
  '__defineGetter__',
];

const key = fc.oneof(fc.constantFrom(...SPECIAL_KEYS), fc.string({ maxLength: 8 }));
const leaf = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null));
const jsonObject = fc.object({ key, values: [leaf], maxDepth: 3, maxKeys: 6 });

/** A body as text, so `__proto__` keys travel as JSON keys whatever the generator built. */
const send = (value: unknown) => JSON.stringify(value);
const same = (actual: unknown, expected: unknown) => expect(canonicalJson(actual)).toBe(canonicalJson(expected));

/** What a merge patch onto an empty object gives: the patch without its null members (they delete). */
function withoutNulls(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const result: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v !== null)
      Object.defineProperty(result, k, {
        value: withoutNulls(v),
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return result;
}

const HAND_PICKED = JSON.parse(
  '{"toString":1,"constructor":{"prototype":{"__proto__":{"valueOf":"x"}}},"__proto__":{"hasOwnProperty":[1,{"__proto__":null}]},"prototype":true}',
) as Record<string, unknown>;

describe('JSON is stored exactly as sent (property-based)', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '0', WORKER_ENABLED: 'false' } });
    token = await t.token('keeper');
  });
  afterAll(() => t.close());

  const post = (path: string, body: unknown) =>
    t.http().post(path).set(auth(token)).set('Content-Type', 'application/json').send(send(body));

  it('keeps any keys in a JSON object parsed from text (own __proto__ included)', () => {
    expect(Object.keys(HAND_PICKED)).toEqual(['toString', 'constructor', '__proto__', 'prototype']);
    expect(Object.getPrototypeOf(HAND_PICKED)).toBe(Object.prototype);
  });

  it('session metadata and state: POST, GET and PATCH return what was sent', async () => {
    await fc.assert(
      fc.asyncProperty(jsonObject, jsonObject, jsonObject, async (metadata, state, patch) => {
        const created = await post('/v1/sessions', { agentId: 'echo', metadata, state });
        expect(created.status).toBe(201);
        same(created.body.metadata, metadata);
        same(created.body.state, state);
        const read = await t.http().get(`/v1/sessions/${created.body.id}`).set(auth(token));
        same(read.body.metadata, metadata);
        same(read.body.state, state);

        const blank = (await post('/v1/sessions', { agentId: 'echo' })).body.id as string;
        const patched = await t
          .http()
          .patch(`/v1/sessions/${blank}`)
          .set(auth(token))
          .set('Content-Type', 'application/json')
          .send(send({ metadata: patch, state: patch }));
        expect(patched.status).toBe(200);
        same(patched.body.metadata, withoutNulls(patch));
        same(patched.body.state, withoutNulls(patch));
        const events = await t.http().get(`/v1/sessions/${blank}/events`).set(auth(token));
        const stateEvent = events.body.data.find((e: { type: string }) => e.type === 'state');
        if (Object.keys(patch).length > 0) same(stateEvent.parts[0].data, { patch, state: withoutNulls(patch) });
      }),
      { numRuns: 20, examples: [[HAND_PICKED, HAND_PICKED, HAND_PICKED]] },
    );
  });

  it('event data parts and metadata: the answer, the history, both exports and the hash chain agree', async () => {
    const session = (await post('/v1/sessions', { agentId: 'echo' })).body.id as string;
    await fc.assert(
      fc.asyncProperty(jsonObject, jsonObject, async (data, metadata) => {
        const posted = await post(`/v1/sessions/${session}/events`, { parts: [{ kind: 'data', data }], metadata });
        expect(posted.status).toBe(202);
        same(posted.body.event.parts[0].data, data);
        same(posted.body.event.metadata, metadata);
        const { seq } = posted.body.event;
        const history = await t
          .http()
          .get(`/v1/sessions/${session}/events?after=${seq - 1}&limit=1`)
          .set(auth(token));
        same(history.body.data[0].parts[0].data, data);
        same(history.body.data[0].metadata, metadata);
      }),
      { numRuns: 25, examples: [[HAND_PICKED, HAND_PICKED]] },
    );
    const history = (await t.http().get(`/v1/sessions/${session}/events?limit=200`).set(auth(token))).body
      .data as unknown[];
    const json = await t.http().get(`/v1/sessions/${session}/transcript?format=json`).set(auth(token)).buffer(true);
    const exported = JSON.parse(json.text).events as { parts: unknown; metadata: unknown }[];
    const ndjson = await t.http().get(`/v1/sessions/${session}/transcript?format=ndjson`).set(auth(token)).buffer(true);
    const lines = ndjson.text
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => JSON.parse(line) as { parts: unknown; metadata: unknown });
    expect(exported).toHaveLength(history.length);
    for (const [i, event] of (history as { parts: unknown; metadata: unknown }[]).entries()) {
      same(exported[i].parts, event.parts);
      same(exported[i].metadata, event.metadata);
      same(lines[i].parts, event.parts);
      same(lines[i].metadata, event.metadata);
    }
    const verified = await t.http().get(`/v1/sessions/${session}/verify`).set(auth(token));
    expect(verified.body).toMatchObject({ valid: true, checked: history.length });
  });

  it('a retry of an event with such keys is recognised as the same body', async () => {
    const session = (await post('/v1/sessions', { agentId: 'echo' })).body.id as string;
    const body = {
      id: '8f0c6a52-3f1e-4b8a-9d55-2a7f7c1f3e10',
      parts: [{ kind: 'data', data: HAND_PICKED }],
      metadata: HAND_PICKED,
    };
    expect((await post(`/v1/sessions/${session}/events`, body)).status).toBe(202);
    expect((await post(`/v1/sessions/${session}/events`, body)).status).toBe(200);
  });
});
