import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../src/platform/config/app-config.js';
import type { ReadPrismaService } from '../../src/platform/database/read-prisma.service.js';
import { ReviewRepository, type ReviewFilter, type ReviewHit } from '../../src/oversight/review/review.repository.js';
import { openRepositoryDatabase, type RepositoryDatabase } from '../helpers/repository-database.js';

interface Seed {
  key: string;
  user: string;
  /** minutes after the first session: the order of the list (two sessions share minute 8) */
  minute: number;
  name?: string;
  metadata?: object;
  status?: string;
  texts?: string[];
  notes?: { text?: string; labels?: string[] }[];
  failed?: boolean;
}

const SEEDS: Seed[] = [
  {
    key: 'newest',
    user: 'alice',
    minute: 12,
    name: 'Kettle refund',
    metadata: { customer: 'C-1' },
    texts: ['hello there', 'my kettle is broken', 'the kettle again'],
  },
  {
    key: 'parcel',
    user: 'bob',
    minute: 11,
    name: 'Parcel',
    metadata: { product: 'kettle' },
    texts: ['where is my parcel?'],
  },
  {
    key: 'noted',
    user: 'alice',
    minute: 10,
    texts: ['The kettles were delivered'],
    notes: [{ text: 'kettle complaint' }],
  },
  { key: 'labelled', user: 'bob', minute: 9, texts: ['tea please'], notes: [{ labels: ['kettle', 'vip'] }] },
  { key: 'tieA', user: 'alice', minute: 8, texts: ['nothing here', 'still nothing', 'a KETTLE!'], failed: true },
  { key: 'tieB', user: 'bob', minute: 8, texts: ['a parcel and a kettle'], status: 'closed' },
  { key: 'quiet', user: 'alice', minute: 7, texts: ['tea please'] },
  { key: 'nested', user: 'bob', minute: 6, name: 'kettle', metadata: { a: { b: 'Kettle' } } },
  { key: 'old1', user: 'alice', minute: 5, texts: ['parcel lost'] },
  { key: 'old2', user: 'alice', minute: 4, texts: ['kettle'], notes: [{ text: 'vip customer', labels: ['vip'] }] },
  { key: 'old3', user: 'bob', minute: 3, texts: ['tea'] },
  { key: 'old4', user: 'bob', minute: 2, texts: ['my kettle leaks'] },
];

const PAGE = 2;

describe('ReviewRepository: a common query walked newest first gives the pages of the collected plan', () => {
  let r: RepositoryDatabase;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    r = await openRepositoryDatabase();
    await r.sql("INSERT INTO users (id) VALUES ('alice'), ('bob')");
    for (const seed of SEEDS) await insert(seed);
  });
  afterAll(() => r.close());

  async function insert(seed: Seed): Promise<void> {
    const id = (ids[seed.key] = randomUUID());
    const at = new Date(Date.UTC(2026, 0, 1, 0, seed.minute));
    await r.sql(
      `INSERT INTO sessions (id, user_id, agent_id, name, metadata, status, created_at, last_activity_at, event_count)
       VALUES ($1, $2, 'echo', $3, $4, $5, $6, $6, $7)`,
      [id, seed.user, seed.name ?? null, seed.metadata ?? {}, seed.status ?? 'active', at, seed.texts?.length ?? 0],
    );
    const eventIds: string[] = [];
    for (const [index, text] of (seed.texts ?? []).entries()) {
      eventIds.push(randomUUID());
      await r.sql(
        `INSERT INTO events (id, session_id, seq, type, role, parts, created_at, hash)
         VALUES ($1, $2, $3, 'message', 'user', $4, $5, '\\x00'::bytea)`,
        [eventIds[index], id, index + 1, JSON.stringify([{ kind: 'text', text }]), at],
      );
    }
    for (const note of seed.notes ?? []) {
      await r.sql(
        `INSERT INTO annotations (session_id, text, labels, author_id, author_role)
         VALUES ($1, $2, $3, 'rita', 'reviewer')`,
        [id, note.text ?? null, note.labels ?? []],
      );
    }
    if (seed.failed) {
      await r.sql(
        `INSERT INTO tasks (id, session_id, agent_id, trigger_event_id, trigger_seq, turn, status)
         VALUES ($1, $2, 'echo', $3, 1, 1, 'failed')`,
        [randomUUID(), id, eventIds[0]],
      );
    }
  }

  /** A repository with these thresholds, counting the statements each search sends. */
  function repository(env: Record<string, string> = {}) {
    const statements: number[] = [];
    const client = {
      $queryRaw: (...args: Parameters<RepositoryDatabase['prisma']['$queryRaw']>) => {
        statements[statements.length - 1] += 1;
        return r.prisma.$queryRaw(...args);
      },
    };
    const config = AppConfig.fromEnv({ LOG_LEVEL: 'silent', ...env });
    const repo = new ReviewRepository(client as unknown as ReadPrismaService, config);
    return {
      statements,
      /** Every page of PAGE hits, as the service pages them (PAGE + 1 rows, the last kept row is the cursor). */
      pages: async (filter: Omit<ReviewFilter, 'limit' | 'before'>): Promise<ReviewHit[][]> => {
        const pages: ReviewHit[][] = [];
        let before: ReviewFilter['before'];
        for (;;) {
          statements.push(0);
          const rows = await repo.search({ ...filter, before, limit: PAGE + 1 });
          pages.push(rows.slice(0, PAGE));
          if (rows.length <= PAGE) return pages;
          before = { createdAt: rows[PAGE - 1].createdAt, id: rows[PAGE - 1].id };
        }
      },
    };
  }

  const collected = repository();
  const walked = repository({ REVIEW_SEARCH_COMMON_MATCHES: '1' });
  const walkedShort = repository({ REVIEW_SEARCH_COMMON_MATCHES: '1', REVIEW_SEARCH_PROBE_SESSIONS: '2' });
  const keyOf = (id: string) => Object.keys(ids).find((key) => ids[key] === id);

  it('finds what the collected plan finds, in its order, with its fields, seq and snippet', async () => {
    const pages = await collected.pages({ q: 'kettle' });
    const hits = pages.flat().map((h) => [keyOf(h.id), h.matchedOn, h.match?.seq ?? null]);
    // same created_at: the greater id first
    const ties = [
      ['tieA', ['text'], 3],
      ['tieB', ['text'], 1],
    ];
    expect(hits).toEqual([
      ['newest', ['name', 'text'], 2],
      ['parcel', ['metadata'], null],
      ['noted', ['annotation', 'text'], 1],
      ['labelled', ['annotation'], null],
      ...(ids.tieA > ids.tieB ? ties : ties.reverse()),
      ['nested', ['metadata', 'name'], null],
      ['old2', ['text'], 1],
      ['old4', ['text'], 1],
    ]);
    expect(pages[0][0].match?.snippet).toBe('«kettle» is broken');
    expect(collected.statements.every((n) => n === 1)).toBe(true);

    const walkedPages = await walked.pages({ q: 'kettle' });
    expect(walkedPages).toEqual(pages);
    expect(walked.statements.length).toBe(pages.length);
    expect(walked.statements.every((n) => n === 2)).toBe(true);
    expect(await walkedShort.pages({ q: 'kettle' })).toEqual(pages);
  });

  it.each([
    [{ q: 'kettle', userId: 'alice' }],
    [{ q: 'kettle', status: 'closed' as const }],
    [{ q: 'kettle', hasFailedTasks: true }],
    [{ q: 'kettle', hasFailedTasks: false }],
    [
      {
        q: 'kettle',
        createdFrom: new Date(Date.UTC(2026, 0, 1, 0, 4)),
        createdTo: new Date(Date.UTC(2026, 0, 1, 0, 9)),
      },
    ],
    [{ q: 'kettle', activeTo: new Date(Date.UTC(2026, 0, 1, 0, 10)) }],
    [{ q: 'kettle', label: 'vip' }],
    [{ q: 'kettle', metadata: [{ key: 'customer', value: 'C-1' }] }],
    [{ q: 'kettle OR parcel' }],
    [{ q: '-kettle' }],
    [{ q: '"the kettle again"' }],
    [{ q: 'C-1' }],
    [{ q: 'ket' }],
    [{ q: 'tea' }],
    [{ q: 'zeppelin' }],
  ])('pages %j alike whichever plan runs', async (filter) => {
    const expected = await collected.pages(filter);
    walkedShort.statements.length = 0;
    expect(await walked.pages(filter)).toEqual(expected);
    expect(await walkedShort.pages(filter)).toEqual(expected);
  });

  it('pages a session id alike whichever plan runs', async () => {
    const filter = { q: ids.noted };
    const expected = await collected.pages(filter);
    expect(expected.flat().map((h) => [keyOf(h.id), h.matchedOn])).toEqual([['noted', ['id']]]);
    expect(await walked.pages(filter)).toEqual(expected);
  });

  it('hands the rest of a page to the collected plan when the walk ends short of it', async () => {
    walkedShort.statements.length = 0;
    const expected = await collected.pages({ q: 'kettle', userId: 'alice' });
    expect(expected.flat().map((h) => keyOf(h.id))).toEqual(['newest', 'noted', 'tieA', 'old2']);
    expect(await walkedShort.pages({ q: 'kettle', userId: 'alice' })).toEqual(expected);
    // page 1: newest and noted walked, both hits, one short of PAGE + 1: the rest comes from every match
    expect(walkedShort.statements[0]).toBe(3);
  });
});
