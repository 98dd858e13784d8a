import { randomUUID } from 'node:crypto';
import { EventAppendRepository } from '../../src/conversation/store/event-append.repository.js';
import { PendingNotifications } from '../../src/platform/notifications/post-commit.js';
import { RetentionRepository } from '../../src/oversight/retention/retention.repository.js';
import { openRepositoryDatabase, seedSession, type RepositoryDatabase } from '../helpers/repository-database.js';

const DAY = 86_400_000;

describe('RetentionRepository.purgeBatch', () => {
  let r: RepositoryDatabase;
  let appends: EventAppendRepository;
  let retention: RetentionRepository;

  beforeAll(async () => {
    r = await openRepositoryDatabase();
    appends = new EventAppendRepository(r.prisma, new PendingNotifications());
    retention = new RetentionRepository(r.prisma);
  });
  afterAll(() => r.close());

  /** A session with a user message, its task and the agent's answer, last active `daysAgo` days ago. */
  async function conversation(daysAgo: number, parentId?: string): Promise<string> {
    const session = await seedSession(r, { parentId });
    const taskId = randomUUID();
    const question = {
      id: randomUUID(),
      sessionId: session.id,
      type: 'message' as const,
      role: 'user' as const,
      parts: [],
    };
    await appends.append(question, { requireOpen: true, newTaskId: taskId });
    const reply = await appends.append(
      { ...question, id: randomUUID(), role: 'agent', taskId },
      { requireOpen: false },
    );
    await r.sql('UPDATE tasks SET status = $2, response_event_id = $3 WHERE id = $1', [
      taskId,
      'completed',
      reply!.event.id,
    ]);
    await r.sql("UPDATE sessions SET last_activity_at = now() - $2 * interval '1 day' WHERE id = $1", [
      session.id,
      daysAgo,
    ]);
    return session.id;
  }

  const count = async (table: string, sessionId: string) =>
    Number((await r.sql<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE session_id = $1`, [sessionId]))[0].n);

  it('removes whole inactive sessions with their events and tasks, logs them, and keeps newer ones and their children', async () => {
    const old = await conversation(40);
    const child = await conversation(1, old);
    const recent = await conversation(5);
    const cutoff = new Date(Date.now() - 30 * DAY);

    const preview = await retention.purgeBatch(cutoff, 30, 'ops', 100, true);
    expect(preview).toEqual([{ sessionId: old, userId: 'alice', eventCount: 2 }]);
    expect(await count('events', old)).toBe(2);

    const purged = await retention.purgeBatch(cutoff, 30, 'ops', 100, false);
    expect(purged).toEqual([{ sessionId: old, userId: 'alice', eventCount: 2 }]);
    expect([await count('events', old), await count('tasks', old)]).toEqual([0, 0]);
    expect([await count('events', recent), await count('tasks', recent), await count('events', child)]).toEqual([
      2, 1, 2,
    ]);
    const [parent] = await r.sql<{ parent_id: string | null }>('SELECT parent_id FROM sessions WHERE id = $1', [child]);
    expect(parent.parent_id).toBeNull();
    const log = await r.sql(
      'SELECT user_id, agent_id, event_count, retention_days, purged_by FROM purge_log WHERE session_id = $1',
      [old],
    );
    expect(log).toEqual([{ user_id: 'alice', agent_id: 'echo', event_count: 2, retention_days: 30, purged_by: 'ops' }]);
  });

  it('purges in batches of the given size', async () => {
    const ids = [await conversation(100), await conversation(99), await conversation(98)];
    const cutoff = new Date(Date.now() - 30 * DAY);
    const first = await retention.purgeBatch(cutoff, 30, 'ops', 2, false);
    expect(first.map((p) => p.sessionId)).toEqual(expect.arrayContaining(ids.slice(0, 2)));
    expect(first).toHaveLength(2);
    expect((await retention.purgeBatch(cutoff, 30, 'ops', 2, false)).map((p) => p.sessionId)).toEqual([ids[2]]);
  });

  it('is the only way events are deleted: a plain DELETE is refused', async () => {
    const session = await conversation(400);
    await expect(r.sql('DELETE FROM sessions WHERE id = $1', [session])).rejects.toThrow(/append-only/);
    expect(await count('events', session)).toBe(2);
  });
});
