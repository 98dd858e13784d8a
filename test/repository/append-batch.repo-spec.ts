import { randomUUID } from 'node:crypto';
import type { NewEvent } from '../../src/conversation/records/event.record.js';
import { EventAppendRepository, type AppendResult } from '../../src/conversation/store/event-append.repository.js';
import { AppConfig } from '../../src/platform/config/app-config.js';
import { mapPrismaError } from '../../src/platform/errors/prisma-error.mapper.js';
import { PendingNotifications } from '../../src/platform/notifications/post-commit.js';
import { openRepositoryDatabase, seedSession, type RepositoryDatabase } from '../helpers/repository-database.js';

const message = (sessionId: string, text: string, id: string = randomUUID()): NewEvent => ({
  id,
  sessionId,
  type: 'message',
  role: 'user',
  parts: [{ kind: 'text', text }],
  metadata: { text },
});

describe('group commit of users messages (append_events)', () => {
  let r: RepositoryDatabase;
  let appends: EventAppendRepository;

  beforeAll(async () => {
    r = await openRepositoryDatabase();
    const config = AppConfig.fromEnv({ DATABASE_URL: r.db.url, LOG_LEVEL: 'silent', APPEND_BATCH_MAX: '32' });
    appends = new EventAppendRepository(r.prisma, new PendingNotifications(), r.prisma, config);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => r.close());

  const send = (event: NewEvent, ownerId = 'alice') =>
    appends.appendUnlessWaiting(event, { requireOpen: true, ownerId, newTaskId: randomUUID() });

  it('stores messages sent together with one statement, each as if alone, and fails only the member that fails', async () => {
    const [a, b] = [await seedSession(r), await seedSession(r)];
    const closed = await seedSession(r, { status: 'closed' });
    const waiting = await seedSession(r);
    const first = (await send(message(a.id, 'first'))) as AppendResult;
    const asked = (await send(message(waiting.id, 'asks'))) as AppendResult;
    await r.sql("UPDATE tasks SET status = 'input_required' WHERE id = $1", [asked.task!.id]);
    const direct = jest.spyOn(r.prisma, 'queryDirect');

    const outcomes = await Promise.allSettled([
      send(message(a.id, 'a2')),
      send(message(b.id, 'b1')),
      send(message(a.id, 'reused id, other body', first.event.id)),
      send(message(closed.id, 'to a closed session')),
      send(message(waiting.id, 'answers the question')),
      send(message(b.id, "not bob's"), 'bob'),
      send(message(b.id, 'b2')),
      send(message(a.id, 'a3')),
    ]);

    expect(direct).toHaveBeenCalledTimes(1);
    const [a2, b1, reused, toClosed, answer, bobs, b2, a3] = outcomes;
    expect(reused.status).toBe('rejected');
    expect(mapPrismaError((reused as PromiseRejectedResult).reason)?.status).toBe(409);
    expect(toClosed).toEqual({ status: 'fulfilled', value: undefined });
    expect(bobs).toEqual({ status: 'fulfilled', value: undefined });
    expect(answer).toEqual({ status: 'fulfilled', value: { waitingTaskId: asked.task!.id } });
    const stored = (o: PromiseSettledResult<unknown>) => (o as PromiseFulfilledResult<AppendResult>).value;
    expect([a2, a3].map((o) => stored(o).event.seq)).toEqual([2, 3]);
    expect([b1, b2].map((o) => stored(o).event.seq)).toEqual([1, 2]);
    expect(stored(b2).event.parts).toEqual([{ kind: 'text', text: 'b2' }]);
    expect(stored(b2).task).toMatchObject({ status: 'submitted', triggerSeq: 2, turn: 2 });

    const rows = await r.sql<{ id: string; n: number; last: string; head: string }>(
      `SELECT s.id, count(e.*)::int AS n, encode(s.last_hash, 'hex') AS head,
              encode((array_agg(e.hash ORDER BY e.seq DESC))[1], 'hex') AS last
       FROM sessions s JOIN events e ON e.session_id = s.id WHERE s.id = ANY($1::uuid[]) GROUP BY s.id`,
      [[a.id, b.id, waiting.id]],
    );
    expect(Object.fromEntries(rows.map((row) => [row.id, row.n]))).toEqual({ [a.id]: 3, [b.id]: 2, [waiting.id]: 1 });
    for (const row of rows) expect(row.head).toBe(row.last);
  });

  it('stores a lone message with the single-message statement', async () => {
    const session = await seedSession(r);
    const direct = jest.spyOn(r.prisma, 'queryDirect');
    const stored = (await send(message(session.id, 'alone'))) as AppendResult;
    expect(stored.event.seq).toBe(1);
    expect(direct.mock.calls[0][0].sql).not.toContain('append_events');
  });
});
