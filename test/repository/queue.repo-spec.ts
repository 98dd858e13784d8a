import { randomUUID } from 'node:crypto';
import type { TaskRecord } from '../../src/conversation/records/task.record.js';
import { EventAppendRepository } from '../../src/conversation/store/event-append.repository.js';
import { TasksRepository } from '../../src/conversation/store/tasks.repository.js';
import { QueueRepository } from '../../src/runtime/queue.repository.js';
import type { NotificationsService } from '../../src/platform/notifications/notifications.service.js';
import { PendingNotifications } from '../../src/platform/notifications/post-commit.js';
import { openRepositoryDatabase, seedSession, type RepositoryDatabase } from '../helpers/repository-database.js';

const LEASE_MS = 60_000;

describe('the task queue (QueueRepository) and task moves (TasksRepository)', () => {
  let r: RepositoryDatabase;
  let appends: EventAppendRepository;
  let tasks: TasksRepository;
  let queue: QueueRepository;

  beforeAll(async () => {
    r = await openRepositoryDatabase();
    const notifier = new PendingNotifications();
    appends = new EventAppendRepository(r.prisma, notifier);
    tasks = new TasksRepository(r.prisma, notifier);
    queue = new QueueRepository(
      r.prisma,
      Object.assign(notifier, { flushPending: async () => {} }) as unknown as NotificationsService,
    );
  });
  afterAll(() => r.close());
  // Every test starts from an empty queue, so claims only see its own tasks.
  beforeEach(() =>
    r.sql("UPDATE tasks SET status = 'canceled' WHERE status IN ('submitted', 'working', 'input_required')"),
  );

  async function turn(sessionId: string, text = 'hi'): Promise<TaskRecord> {
    const parts = [{ kind: 'text' as const, text }];
    const event = { id: randomUUID(), sessionId, type: 'message' as const, role: 'user' as const, parts };
    const result = await appends.append(event, { requireOpen: true, newTaskId: randomUUID() });
    return result!.task!;
  }

  async function answer(task: TaskRecord, status: 'completed' | 'input_required'): Promise<void> {
    const reply = {
      id: randomUUID(),
      sessionId: task.sessionId,
      type: 'message' as const,
      role: 'agent' as const,
      parts: [],
      taskId: task.id,
    };
    const appended = await appends.append(reply, { requireOpen: false });
    await tasks.finish(task.id, { status, responseEventId: appended!.event.id });
  }

  it('claims in creation order, one task at a time per session, and the next once the first is done', async () => {
    const [a, b] = [await seedSession(r), await seedSession(r)];
    const a1 = await turn(a.id);
    const b1 = await turn(b.id);
    const a2 = await turn(a.id);
    const first = await queue.claim('w1', LEASE_MS, 10);
    expect(first.map((t) => t.id).sort()).toEqual([a1.id, b1.id].sort());
    expect(first.every((t) => t.status === 'working' && t.attempts === 1)).toBe(true);
    expect(await queue.claim('w1', LEASE_MS, 10)).toEqual([]);
    await answer(a1, 'completed');
    expect((await queue.claim('w2', LEASE_MS, 10)).map((t) => t.id)).toEqual([a2.id]);
  });

  it('honours the claim limit, oldest first', async () => {
    const session = await seedSession(r);
    const others = [await seedSession(r), await seedSession(r)];
    const oldest = await turn(session.id);
    for (const other of others) await turn(other.id);
    expect((await queue.claim('w1', LEASE_MS, 1)).map((t) => t.id)).toEqual([oldest.id]);
  });

  it('lets another worker take a task whose lease ran out, and only the holder renew a lease', async () => {
    const session = await seedSession(r);
    const task = await turn(session.id);
    await queue.claim('w1', LEASE_MS, 1);
    expect(await queue.claim('w2', LEASE_MS, 1)).toEqual([]);
    expect(await queue.renewLease(task.id, 'w2', LEASE_MS)).toBe(false);
    await r.sql("UPDATE tasks SET lease_expires_at = now() - interval '1 second' WHERE id = $1", [task.id]);
    const [taken] = await queue.claim('w2', LEASE_MS, 1);
    expect(taken).toMatchObject({ id: task.id, status: 'working', attempts: 2 });
    expect(await queue.renewLease(task.id, 'w1', LEASE_MS)).toBe(false);
    const before = await r.sql<{ lease_expires_at: Date }>('SELECT lease_expires_at FROM tasks WHERE id = $1', [
      task.id,
    ]);
    expect(await queue.renewLease(task.id, 'w2', LEASE_MS * 2)).toBe(true);
    const after = await r.sql<{ lease_expires_at: Date; lease_owner: string }>(
      'SELECT lease_expires_at, lease_owner FROM tasks WHERE id = $1',
      [task.id],
    );
    expect(after[0].lease_owner).toBe('w2');
    expect(after[0].lease_expires_at.getTime()).toBeGreaterThan(before[0].lease_expires_at.getTime());
  });

  it("releases only the stopping worker's tasks, back to submitted without counting the attempt", async () => {
    const [a, b] = [await seedSession(r), await seedSession(r)];
    const mine = await turn(a.id);
    await queue.claim('w1', LEASE_MS, 1);
    const theirs = await turn(b.id);
    await queue.claim('w2', LEASE_MS, 1);
    expect(await queue.release('w1')).toBe(1);
    const rows = await r.sql<{ id: string; status: string; attempts: number; lease_owner: string | null }>(
      'SELECT id, status, attempts, lease_owner FROM tasks WHERE id = ANY($1::uuid[]) ORDER BY created_at',
      [[mine.id, theirs.id]],
    );
    expect(rows).toEqual([
      { id: mine.id, status: 'submitted', attempts: 0, lease_owner: null },
      { id: theirs.id, status: 'working', attempts: 1, lease_owner: 'w2' },
    ]);
    expect((await queue.claim('w3', LEASE_MS, 5)).map((t) => t.id)).toEqual([mine.id]);
  });

  it('resubmits a task waiting for input to answer the follow-up, and leaves a task in another status alone', async () => {
    const session = await seedSession(r);
    const task = await turn(session.id);
    await queue.claim('w1', LEASE_MS, 1);
    await answer(task, 'input_required');
    const followUp = {
      id: randomUUID(),
      sessionId: session.id,
      type: 'message' as const,
      role: 'user' as const,
      parts: [],
      taskId: task.id,
    };
    const resubmitted = await r.prisma.$transaction(async (tx) => {
      const pending = new PendingNotifications();
      const appended = (await new EventAppendRepository(tx, pending).append(followUp, { requireOpen: true }))!;
      const trigger = { eventId: appended.event.id, seq: appended.event.seq, turn: appended.turn };
      return new TasksRepository(tx, pending).resubmit(task.id, trigger);
    });
    expect(resubmitted).toMatchObject({
      id: task.id,
      status: 'submitted',
      triggerEventId: followUp.id,
      triggerSeq: 3,
      turn: 2,
      responseEventId: null,
      attempts: 0,
    });
    expect((await queue.claim('w1', LEASE_MS, 1)).map((t) => t.id)).toEqual([task.id]);
    await answer(task, 'completed');
    const untouched = await r.prisma.$transaction((tx) =>
      new TasksRepository(tx, new PendingNotifications()).resubmit(task.id, { eventId: followUp.id, seq: 3, turn: 2 }),
    );
    expect(untouched).toBeUndefined();
    expect(await tasks.findById(task.id)).toMatchObject({ status: 'completed', triggerSeq: 3 });
  });

  it('cancels every unfinished task of a session and nothing else', async () => {
    const [session, other] = [await seedSession(r), await seedSession(r)];
    const done = await turn(session.id);
    await queue.claim('w1', LEASE_MS, 1);
    await answer(done, 'completed');
    const asking = await turn(session.id);
    await queue.claim('w1', LEASE_MS, 1);
    await answer(asking, 'input_required');
    const running = await turn(session.id);
    await queue.claim('w1', LEASE_MS, 1);
    const waiting = await turn(session.id);
    const elsewhere = await turn(other.id);
    const canceled = await r.prisma.$transaction((tx) =>
      new TasksRepository(tx, new PendingNotifications()).cancelOpen(session.id, 'session closed'),
    );
    expect(canceled).toBe(3);
    const statuses = await tasks.statuses([done.id, asking.id, running.id, waiting.id, elsewhere.id]);
    expect([done, asking, running, waiting, elsewhere].map((t) => statuses.get(t.id))).toEqual([
      'completed',
      'canceled',
      'canceled',
      'canceled',
      'submitted',
    ]);
    expect(await tasks.findById(running.id)).toMatchObject({ error: 'session closed', finishedAt: expect.any(Date) });
  });

  it("claims one agent's tasks for a pull worker, and leaves excluded agents' tasks to theirs", async () => {
    const hosted = await turn((await seedSession(r)).id);
    const pulled = await turn((await seedSession(r, { agentId: 'support' })).id);
    expect(await queue.claim('hosted', LEASE_MS, 10, { excludeAgentIds: ['support', 'other'] })).toEqual([
      expect.objectContaining({ id: hosted.id }),
    ]);
    const [claimed] = await queue.claimLeases('pull:1', LEASE_MS, 10, { agentId: 'support' });
    expect(claimed.task.id).toBe(pulled.id);
    expect(claimed.leaseExpiresAt.getTime()).toBeGreaterThan(Date.now() + LEASE_MS / 2);
    expect(await queue.requeue(pulled.id, 'pull:2', false)).toBe(false);
    expect(await queue.requeue(pulled.id, 'pull:1', false)).toBe(true);
    const [again] = await queue.claimLeases('pull:3', LEASE_MS, 10, { agentId: 'support' });
    // handed back unseen: the attempt does not count
    expect(again.task).toMatchObject({ id: pulled.id, attempts: 1 });
    expect(await queue.renew(pulled.id, 'pull:1', LEASE_MS)).toBeUndefined();
    expect(await queue.renew(pulled.id, 'pull:3', LEASE_MS)).toBeInstanceOf(Date);
  });

  it("serves a pull claim from the agent's pending index", async () => {
    const plan = await r.sql<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT id FROM tasks c WHERE (c.status = 'submitted' OR (c.status = 'working' AND c.lease_expires_at < now()))
       AND c.agent_id = 'support' ORDER BY c.created_at LIMIT 1`,
    );
    expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toContain('tasks_pending_agent_idx');
  });
});
