import fc from 'fast-check';
import { eventJson, toEventDto } from '../../src/conversation/http/dto/event.dto.js';
import { EventsRepository } from '../../src/conversation/store/events.repository.js';
import { StreamedEventsRepository } from '../../src/conversation/store/streamed-events.repository.js';
import { openRepositoryDatabase, seedSession, type RepositoryDatabase } from '../helpers/repository-database.js';

/** Characters whose escaping differs between writers, and the separators jsonb's output adds. */
const char = fc.oneof(
  fc.constantFrom('\u0001', '\b', '\t', '\n', '\f', '\r', '\u001f', '"', '\\', '/', '\u007f', '\u2028', ' ', ':', ','),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
);
const text = fc.string({ unit: char, maxLength: 12 });
/** Index-like keys are the ones JavaScript moves to the front of an object. */
const key = fc.oneof(text, fc.constantFrom('0', '7', '12', '01', '4294967295', '-1', '1.5', '__proto__', 'a', 'kind'));
const leaf = fc.oneof(
  text,
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const value = fc.oneof(fc.object({ key, values: [leaf], maxDepth: 3, maxKeys: 5 }), fc.array(leaf, { maxLength: 4 }));
/** Numbers as clients may spell them: jsonb keeps the spelling (as a numeric), JSON.parse does not. */
const spelled = fc.oneof(
  fc.constantFrom('1.50', '-0', '0.0', '1e2', '1E-7', '-1.0e-2', '1e400', '-1e400', '123456789012345678901234567890'),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => n.toExponential(3)),
  fc.integer().map((n) => `${n}.000`),
);

describe('Events read as text for streams and exports (StreamedEvent, eventJson)', () => {
  let r: RepositoryDatabase;
  let events: EventsRepository;
  let streamed: StreamedEventsRepository;
  let sessionId: string;
  let seq = 0;

  beforeAll(async () => {
    r = await openRepositoryDatabase();
    events = new EventsRepository(r.prisma);
    streamed = new StreamedEventsRepository(r.prisma);
    sessionId = (await seedSession(r)).id;
  });
  afterAll(() => r.close());

  /** Stores events with these parts (JSON text, as a client may have sent it) and returns their seqs. */
  async function store(partsTexts: string[]): Promise<number> {
    const first = seq + 1;
    for (const parts of partsTexts) {
      seq++;
      await r.sql(
        `INSERT INTO events (id, session_id, seq, type, role, parts, metadata, created_at, hash)
         VALUES (gen_random_uuid(), $1, $2, 'message', 'agent', $3::jsonb, '{"n": 1.50, "0": "x"}', now(), '\\x00')`,
        [sessionId, seq, parts],
      );
    }
    return first - 1;
  }

  /** What streams write for the stored events, against what GET writes (JSON.stringify of the parsed record). */
  async function expectSameJson(after: number): Promise<void> {
    const page = await streamed.pageAfter(sessionId, after, 1_000, 64 * 1024 * 1024);
    expect(page.events.length).toBe(seq - after);
    for (const event of page.events) {
      const record = await events.findById(sessionId, event.id);
      expect(eventJson(event).join('')).toBe(JSON.stringify(toEventDto(record!)));
    }
  }

  it('writes any parts exactly as JSON.stringify writes the parsed parts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(value, { minLength: 1, maxLength: 3 }), async (parts) => {
        await expectSameJson(await store([JSON.stringify(parts)]));
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it('writes numbers as JavaScript does, whatever their stored spelling', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(spelled, { minLength: 1, maxLength: 4 }), async (numbers) => {
        await expectSameJson(await store([`[{"kind": "data", "data": {"n": [${numbers.join(', ')}]}}]`]));
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  it('reads megabytes of text in pieces of about 32 KiB, cut between characters, and never joins them', async () => {
    // 1-, 2-, 3- and 4-byte characters, so cuts fall inside characters, and escapes across cuts
    const big = 'a\u00e9\u20ac\u{1F600}"\\\n'.repeat(80_000);
    const after = await store([
      JSON.stringify([
        { kind: 'text', text: big },
        { kind: 'data', data: { n: 1.5 } },
      ]),
    ]);
    const [event] = (await streamed.pageAfter(sessionId, after, 10, 16 * 1024 * 1024)).events;
    // a cut moves up to 3 bytes on to the next character
    const most = 32 * 1024 + 3;
    const sizes = event.partsText.map((piece) => Buffer.byteLength(piece));
    expect({ within: Math.max(...sizes) <= most, pieces: sizes.length > 30 }).toEqual({ within: true, pieces: true });
    expect(eventJson(event).every((piece) => Buffer.byteLength(piece) <= most)).toBe(true);
    await expectSameJson(after);
  });

  it('returns only the seq and size of a next event that does not fit the page, and reads it alone', async () => {
    const after = await store([JSON.stringify([{ kind: 'text', text: 'y'.repeat(10_000) }]), '[]']);
    const page = await streamed.pageAfter(sessionId, after, 10, 1_000);
    expect(page).toEqual({ events: [], bytes: 0, ended: false, next: { seq: after + 1, bytes: expect.any(Number) } });
    expect(page.next!.bytes).toBeGreaterThan(10_000);
    const fits = await streamed.pageAfter(sessionId, after, 10, page.next!.bytes);
    expect(fits.events.map((e) => e.seq)).toEqual([after + 1]);
    expect((await streamed.eventAt(sessionId, after + 1))?.partsText.join('')).toBe(fits.events[0].partsText.join(''));
    const rest = await streamed.pageAfter(sessionId, after + 1, 10, 1_000);
    expect({ seqs: rest.events.map((e) => e.seq), ended: rest.ended }).toEqual({ seqs: [after + 2], ended: true });
    expect(await streamed.eventAt(sessionId, after + 99)).toBeUndefined();
  });
});
