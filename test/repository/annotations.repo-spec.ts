import { AnnotationsRepository } from '../../src/oversight/annotations/annotations.repository.js';
import { RetentionRepository } from '../../src/oversight/retention/retention.repository.js';
import { openRepositoryDatabase, seedSession, type RepositoryDatabase } from '../helpers/repository-database.js';

describe('AnnotationsRepository on PostgreSQL', () => {
  let r: RepositoryDatabase;
  let annotations: AnnotationsRepository;

  beforeAll(async () => {
    r = await openRepositoryDatabase();
    annotations = new AnnotationsRepository(r.prisma);
  });
  afterAll(() => r.close());

  const note = (sessionId: string, text: string, shared = false) =>
    annotations.insert({
      sessionId,
      seq: null,
      eventId: null,
      text,
      labels: ['x'],
      shared,
      authorId: 'rita',
      authorRole: 'reviewer',
    });

  it('pages oldest first by (created_at, id), exactly, and filters to shared ones', async () => {
    const session = await seedSession(r);
    const written = [];
    for (const text of ['a', 'b', 'c', 'd']) written.push(await note(session.id, text, text === 'c'));
    const seen: string[] = [];
    let after: (typeof written)[number] | undefined;
    for (;;) {
      const page = await annotations.list({ sessionId: session.id, sharedOnly: false, after, limit: 1 });
      if (page.length === 0) break;
      seen.push(page[0].text!);
      after = page[0];
    }
    expect(seen).toEqual(['a', 'b', 'c', 'd']);
    const shared = await annotations.list({ sessionId: session.id, sharedOnly: true, limit: 10 });
    expect(shared.map((a) => a.text)).toEqual(['c']);
  });

  it('is append-only: updates and deletes are refused', async () => {
    const session = await seedSession(r);
    const written = await note(session.id, 'keep me');
    await expect(r.sql('UPDATE annotations SET text = $2 WHERE id = $1', [written.id, 'changed'])).rejects.toThrow(
      /annotations are append-only/,
    );
    await expect(r.sql('DELETE FROM annotations WHERE id = $1', [written.id])).rejects.toThrow(
      /annotations are append-only/,
    );
    await expect(
      r.sql("INSERT INTO annotations (session_id, author_id, author_role) VALUES ($1, 'rita', 'reviewer')", [
        session.id,
      ]),
    ).rejects.toThrow(/annotations_content_check/);
  });

  it('goes with its session when retention purges it', async () => {
    const session = await seedSession(r);
    await note(session.id, 'old note');
    await r.sql("UPDATE sessions SET last_activity_at = now() - interval '400 days' WHERE id = $1", [session.id]);
    const purged = await new RetentionRepository(r.prisma).purgeBatch(
      new Date(Date.now() - 365 * 86_400_000),
      365,
      'ops',
      100,
      false,
    );
    expect(purged.map((p) => p.sessionId)).toContain(session.id);
    const left = await r.sql<{ n: string }>('SELECT count(*) AS n FROM annotations WHERE session_id = $1', [
      session.id,
    ]);
    expect(left[0].n).toBe('0');
  });
});
