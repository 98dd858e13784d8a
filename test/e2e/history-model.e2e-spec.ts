import fc from 'fast-check';
import { auth, createSession, text } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

type Op =
  | { kind: 'turn' }
  | { kind: 'revert'; items: number }
  | { kind: 'reset' }
  | { kind: 'compaction'; at: number }
  | { kind: 'page'; limit: number };

interface Item {
  position: number;
  text: string;
}

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'turn' as const }) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 4 }).map((items) => ({ kind: 'revert' as const, items })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reset' as const }) },
  {
    weight: 2,
    arbitrary: fc.double({ min: 0, max: 1, noNaN: true }).map((at) => ({ kind: 'compaction' as const, at })),
  },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 3 }).map((limit) => ({ kind: 'page' as const, limit })) },
);

/**
 * The effective history as a list a framework keeps (append, pop the last n, clear, replace a prefix by a
 * summary) against the one the service computes from append-only events: after any sequence, they agree.
 */
describe('effective history matches a list model', () => {
  let t: TestApp;
  let alice: string;

  beforeAll(async () => {
    t = await startTestApp();
    alice = await t.token('alice');
  });
  afterAll(() => t.close());

  const read = async (sessionId: string, limit: number): Promise<string[]> => {
    const texts: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await t.http().get(`/v1/sessions/${sessionId}/history?${query}`).set(auth(alice)).expect(200);
      for (const item of res.body.items) texts.push(item.parts[0].text);
      cursor = res.body.nextCursor;
    } while (cursor);
    return texts;
  };

  it('after any sequence of turns, reverts, resets and compactions', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 10 }), async (ops) => {
        const { id } = await createSession(t, alice);
        const path = `/v1/sessions/${id}`;
        let model: Item[] = [];
        let eventCount = 0;
        for (const [i, step] of ops.entries()) {
          if (step.kind === 'turn') {
            const body = { turnId: `t${i}`, input: { parts: text(`q${i}`) }, output: { parts: text(`a${i}`) } };
            const res = await t.http().post(`${path}/turns`).set(auth(alice)).send(body).expect(201);
            const [q, a] = res.body.events;
            model.push({ position: q.seq, text: `q${i}` }, { position: a.seq, text: `a${i}` });
            eventCount = a.seq;
          } else if (step.kind === 'revert') {
            const res = await t.http().post(`${path}/history/revert`).set(auth(alice)).send({ items: step.items });
            expect(res.status).toBe(model.length === 0 ? 409 : 201);
            if (res.status === 201) eventCount = res.body.event.seq;
            model = model.slice(0, Math.max(0, model.length - step.items));
          } else if (step.kind === 'reset') {
            eventCount = (await t.http().post(`${path}/history/reset`).set(auth(alice)).send({}).expect(201)).body.event
              .seq;
            model = [];
          } else if (step.kind === 'compaction' && eventCount > 0) {
            const throughSeq = Math.max(1, Math.ceil(step.at * eventCount));
            const body = { throughSeq, summary: { parts: text(`s${i}`) } };
            const res = await t.http().post(`${path}/history/compaction`).set(auth(alice)).send(body).expect(201);
            eventCount = res.body.event.seq;
            model = [{ position: throughSeq, text: `s${i}` }, ...model.filter((item) => item.position > throughSeq)];
          } else if (step.kind === 'page') {
            expect(await read(id, step.limit)).toEqual(model.map((item) => item.text));
          }
        }
        expect(await read(id, 200)).toEqual(model.map((item) => item.text));
        const verify = await t.http().get(`${path}/verify`).set(auth(alice)).expect(200);
        expect(verify.body.valid).toBe(true);
        runs++;
      }),
      { numRuns: 25 },
    );
    expect(runs).toBeGreaterThanOrEqual(25);
  }, 120_000);
});
