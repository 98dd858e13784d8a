import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { AuthContext } from '../../src/identity/auth/auth-context.js';
import type { SessionStatus } from '../../src/conversation/records/session.record.js';
import type { TaskRecord, TaskStatus } from '../../src/conversation/records/task.record.js';
import {
  isFinalTaskStatus,
  sessionMoves,
  taskStatusesMovingTo,
  type SessionChange,
} from '../../src/conversation/status.machine.js';
import { EventAppendRepository } from '../../src/conversation/store/event-append.repository.js';
import { EventsRepository } from '../../src/conversation/store/events.repository.js';
import { SessionsRepository } from '../../src/conversation/store/sessions.repository.js';
import {
  SettlementsRepository,
  type TaskSettlementWrite,
} from '../../src/conversation/store/settlements.repository.js';
import { TasksRepository } from '../../src/conversation/store/tasks.repository.js';
import { UnitOfWork } from '../../src/conversation/store/unit-of-work.js';
import { TaskWaiter } from '../../src/conversation/task-waiter.service.js';
import { TasksService } from '../../src/conversation/tasks.service.js';
import { DomainError } from '../../src/platform/errors/domain-error.js';
import type { NotificationsService } from '../../src/platform/notifications/notifications.service.js';
import { PendingNotifications } from '../../src/platform/notifications/post-commit.js';
import { openRepositoryDatabase, seedSession, type RepositoryDatabase } from '../helpers/repository-database.js';

const OWNER = 'worker-1';
const alice: AuthContext = { tokenId: 't', userId: 'alice', role: 'user' };
type Outcome = 'completed' | 'input_required' | 'failed';

/** What TasksService.settle passes for an agent's plain answer (see settlementWrite there). */
function write(task: TaskRecord, status: Outcome = 'completed', extra: Partial<TaskSettlementWrite> = {}) {
  const change = status === 'input_required' ? 'agent_asked' : 'agent_answered';
  return {
    sessionId: task.sessionId,
    taskId: task.id,
    owner: OWNER,
    status,
    fromStatuses: taskStatusesMovingTo(status),
    final: isFinalTaskStatus(status),
    error: status === 'failed' ? 'it broke' : null,
    answer: {
      id: randomUUID(),
      type: status === 'failed' ? ('error' as const) : ('message' as const),
      parts: [{ kind: 'text' as const, text: `answer (${status})` }],
      metadata: { taskStatus: status },
      usage: { model: 'm', promptTokens: 3, completionTokens: 5, costUsd: 0.0123456789 },
    },
    sessionMoves: sessionMoves(change),
    ...extra,
  } satisfies TaskSettlementWrite;
}

describe('SettlementsRepository.settle (the settle_task function)', () => {
  let r: RepositoryDatabase;
  let appends: EventAppendRepository;
  let settlements: SettlementsRepository;
  let service: TasksService;

  beforeAll(async () => {
    r = await openRepositoryDatabase();
    const pending = new PendingNotifications();
    appends = new EventAppendRepository(r.prisma, pending);
    settlements = new SettlementsRepository(r.prisma, pending);
    const hub = Object.assign(new PendingNotifications(), { on: () => () => undefined });
    const notifications = hub as unknown as NotificationsService;
    const tasks = new TasksRepository(r.prisma, hub);
    service = new TasksService(
      new UnitOfWork(r.prisma, notifications),
      tasks,
      new SessionsRepository(r.prisma),
      new EventsRepository(r.prisma),
      new TaskWaiter(tasks, notifications),
    );
  });
  afterAll(() => r.close());

  /** A session with one user turn whose task `OWNER` holds, as a claim leaves it. */
  async function heldTask(status: SessionStatus = 'active'): Promise<TaskRecord> {
    const session = await seedSession(r);
    const parts = [{ kind: 'text' as const, text: 'hi' }];
    const user = { id: randomUUID(), sessionId: session.id, type: 'message' as const, role: 'user' as const, parts };
    const appended = await appends.append(user, { requireOpen: false, newTaskId: randomUUID() });
    await r.sql(
      `UPDATE tasks SET status = 'working', attempts = 1, lease_owner = $2, started_at = now(),
         lease_expires_at = now() + interval '1 minute' WHERE id = $1`,
      [appended!.task!.id, OWNER],
    );
    await r.sql('UPDATE sessions SET status = $2 WHERE id = $1', [session.id, status]);
    return { ...appended!.task!, status: 'working', attempts: 1 };
  }

  const sessionRow = async (id: string) =>
    (
      await r.sql<{
        status: string;
        event_count: number;
        completion_tokens: string;
        cost_usd: string | null;
        unpriced_answers: number;
        last_hash: Buffer;
        last_activity_at: Date;
        agent_context: unknown;
      }>('SELECT * FROM sessions WHERE id = $1', [id])
    )[0];
  const taskRow = async (id: string) =>
    (
      await r.sql<{
        status: TaskStatus;
        response_event_id: string | null;
        error: string | null;
        lease_owner: string | null;
        lease_expires_at: Date | null;
        finished_at: Date | null;
      }>('SELECT * FROM tasks WHERE id = $1', [id])
    )[0];

  it('stores the answer, finishes the task and moves the session, in one call, announcing both after it', async () => {
    const task = await heldTask();
    const before = await sessionRow(task.sessionId);
    const announced = new PendingNotifications();
    const settled = await new SettlementsRepository(r.prisma, announced).settle(write(task));
    expect(settled?.response).toMatchObject({
      sessionId: task.sessionId,
      seq: 2,
      type: 'message',
      role: 'agent',
      taskId: task.id,
      parentId: null,
      metadata: { taskStatus: 'completed' },
      usage: { model: 'm', promptTokens: 3, completionTokens: 5, costUsd: 0.012346 },
    });
    expect(settled?.task).toMatchObject({ id: task.id, status: 'completed', responseEventId: settled!.response.id });
    expect(settled?.task.finishedAt).toBeInstanceOf(Date);
    expect(await taskRow(task.id)).toMatchObject({
      status: 'completed',
      response_event_id: settled!.response.id,
      error: null,
      lease_owner: null,
      lease_expires_at: null,
    });
    const after = await sessionRow(task.sessionId);
    expect(after).toMatchObject({ status: 'active', event_count: 2, completion_tokens: '5', cost_usd: '0.012346' });
    expect(after.last_hash.toString('hex')).toBe(settled!.response.hash);
    expect(after.last_activity_at.getTime()).toBeGreaterThanOrEqual(before.last_activity_at.getTime());
    expect(announced.notifications).toEqual([
      { channel: 'sessionEvent', payload: { sessionId: task.sessionId, seq: 2 } },
      { channel: 'taskStatus', payload: { sessionId: task.sessionId, taskId: task.id, status: 'completed' } },
    ]);
  });

  it("extends the session's hash chain: every link verifies", async () => {
    const task = await heldTask();
    await settlements.settle(write(task));
    const links = await r.sql<{ seq: number; ok: boolean }>(
      `SELECT seq, hash = event_chain_hash(lag(hash) OVER (ORDER BY seq), event_canonical(id, session_id, seq, type,
                role, parts, task_id, metadata, model, prompt_tokens, completion_tokens, cost_usd, created_at,
                parent_id)) AS ok
       FROM events WHERE session_id = $1 ORDER BY seq`,
      [task.sessionId],
    );
    expect(links).toEqual([
      { seq: 1, ok: true },
      { seq: 2, ok: true },
    ]);
  });

  it.each<[Outcome, SessionChange, SessionStatus, SessionStatus, boolean]>([
    ['input_required', 'agent_asked', 'active', 'input_required', false],
    ['failed', 'agent_answered', 'input_required', 'input_required', true],
    ['completed', 'agent_ended', 'active', 'completed', true],
    ['completed', 'agent_answered', 'completed', 'completed', true],
    ['input_required', 'agent_asked', 'closed', 'closed', false],
    ['completed', 'agent_ended', 'expired', 'expired', true],
  ])(
    'settled as %s (%s) in a session that is %s: the session becomes %s, finished_at set: %s',
    async (status, change, from, to, final) => {
      const task = await heldTask(from);
      await settlements.settle(write(task, status, { sessionMoves: sessionMoves(change) }));
      expect((await sessionRow(task.sessionId)).status).toBe(to);
      const row = await taskRow(task.id);
      expect(row.status).toBe(status);
      expect(row.finished_at !== null).toBe(final);
      expect(row.error).toBe(status === 'failed' ? 'it broke' : null);
    },
  );

  it('counts an answer of unknown cost (NULL) as unpriced and leaves the cost sum as it was', async () => {
    const task = await heldTask();
    const unpriced = write(task);
    unpriced.answer.usage = { model: 'm', promptTokens: 1, completionTokens: 1, costUsd: null };
    await settlements.settle(unpriced);
    expect(await sessionRow(task.sessionId)).toMatchObject({ cost_usd: null, unpriced_answers: 1 });
  });

  it("replaces the agent's context only when given one", async () => {
    const task = await heldTask();
    await settlements.settle(write(task, 'input_required', { agentContext: { step: 2 } }));
    expect((await sessionRow(task.sessionId)).agent_context).toEqual({ step: 2 });
    await r.sql("UPDATE tasks SET status = 'working', lease_owner = $2 WHERE id = $1", [task.id, OWNER]);
    await settlements.settle(write(task));
    expect((await sessionRow(task.sessionId)).agent_context).toEqual({ step: 2 });
  });

  it('shows in task_metrics and queues webhook deliveries for the status change and the answer', async () => {
    const task = await heldTask();
    await r.sql(
      "INSERT INTO webhooks (kind, owner_id, session_id, url, secret) VALUES ('session', 'alice', $1, 'https://example.com/h', 's')",
      [task.sessionId],
    );
    const settled = await settlements.settle(write(task));
    const [metrics] = await r.sql<{ succeeded: boolean; model: string; cost_usd: string; run_time: unknown }>(
      'SELECT succeeded, model, cost_usd, run_time FROM task_metrics WHERE task_id = $1',
      [task.id],
    );
    expect(metrics).toMatchObject({ succeeded: true, model: 'm', cost_usd: '0.012346' });
    expect(metrics.run_time).not.toBeNull();
    const deliveries = await r.sql<{ topic: string; task_status: string | null; event_seq: number | null }>(
      'SELECT topic, task_status, event_seq FROM webhook_deliveries WHERE session_id = $1 ORDER BY id',
      [task.sessionId],
    );
    expect(deliveries).toEqual([
      { topic: 'session.event', task_status: null, event_seq: settled!.response.seq },
      { topic: 'task.status', task_status: 'completed', event_seq: null },
    ]);
  });

  it('writes nothing for a task this owner does not hold: another owner, or no longer working', async () => {
    const task = await heldTask();
    expect(await settlements.settle({ ...write(task), owner: 'worker-2' })).toBeUndefined();
    await r.sql("UPDATE tasks SET status = 'canceled', lease_owner = NULL WHERE id = $1", [task.id]);
    expect(await settlements.settle(write(task))).toBeUndefined();
    expect(await sessionRow(task.sessionId)).toMatchObject({ event_count: 1, completion_tokens: '0' });
    expect((await taskRow(task.id)).status).toBe('canceled');
  });

  it('waits for a cancel that holds the session, then finds the task canceled and stores no answer', async () => {
    const task = await heldTask();
    const cancel = new Client({ connectionString: r.db.url });
    await cancel.connect();
    try {
      // the order TasksService.cancel takes its locks in: the session, then the task
      await cancel.query('BEGIN');
      await cancel.query('SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE', [task.sessionId]);
      let done = false;
      const settling = settlements.settle(write(task)).finally(() => (done = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(done).toBe(false);
      await cancel.query("UPDATE tasks SET status = 'canceled', lease_owner = NULL WHERE id = $1", [task.id]);
      await cancel.query('COMMIT');
      expect(await settling).toBeUndefined();
    } finally {
      await cancel.end();
    }
    expect((await taskRow(task.id)).status).toBe('canceled');
    expect((await sessionRow(task.sessionId)).event_count).toBe(1);
  });

  it("refuses a cancel that comes while the settle's transaction is open, once it commits: the task has its answer", async () => {
    const task = await heldTask();
    let commit: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (commit = resolve));
    let settledInTx: unknown;
    const settling = r.prisma.$transaction(
      async (tx) => {
        settledInTx = await new SettlementsRepository(tx, new PendingNotifications()).settle(write(task));
        await gate;
      },
      { timeout: 10_000 },
    );
    while (settledInTx === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
    const canceling = service.cancel(alice, task.id);
    await new Promise((resolve) => setTimeout(resolve, 300));
    commit();
    await settling;
    await expect(canceling).rejects.toMatchObject({ code: 'task/not_cancelable' });
    expect((await taskRow(task.id)).status).toBe('completed');
  });

  it('settles or cancels each of many tasks raced against each other, never both and never a deadlock', async () => {
    const tasks = await Promise.all(Array.from({ length: 12 }, () => heldTask()));
    const results = await Promise.all(
      tasks.map(async (task) => {
        const [settled, canceled] = await Promise.allSettled([
          service.settle(task, OWNER, { status: 'completed', type: 'message', parts: [{ kind: 'text', text: 'x' }] }),
          service.cancel(alice, task.id),
        ]);
        return { task, settled, canceled };
      }),
    );
    for (const { task, settled, canceled } of results) {
      expect(settled.status).toBe('fulfilled');
      const won = (settled as PromiseFulfilledResult<boolean>).value;
      if (won) {
        expect(canceled.status).toBe('rejected');
        expect((canceled as PromiseRejectedResult).reason).toBeInstanceOf(DomainError);
      } else {
        expect(canceled).toMatchObject({ status: 'fulfilled', value: { status: 'canceled' } });
      }
      const row = await taskRow(task.id);
      expect(row.status).toBe(won ? 'completed' : 'canceled');
      expect((await sessionRow(task.sessionId)).event_count).toBe(won ? 2 : 1);
    }
  });
});
