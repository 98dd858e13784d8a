import { randomUUID } from 'node:crypto';
import { Client, type Notification } from 'pg';
import type { NewEvent } from '../../src/conversation/records/event.record.js';
import { REFUSING_USER_MESSAGES } from '../../src/conversation/status.machine.js';
import { EventAppendRepository } from '../../src/conversation/store/event-append.repository.js';
import { EventsRepository } from '../../src/conversation/store/events.repository.js';
import { PendingNotifications } from '../../src/platform/notifications/post-commit.js';
import { mapPrismaError } from '../../src/platform/errors/prisma-error.mapper.js';
import { CHANNELS } from '../../src/platform/notifications/channels.js';
import { openRepositoryDatabase, seedSession, type RepositoryDatabase } from '../helpers/repository-database.js';

const userMessage = (sessionId: string, text = 'hello', id = randomUUID()): NewEvent => ({
  id,
  sessionId,
  type: 'message',
  role: 'user',
  parts: [{ kind: 'text', text }],
  metadata: {},
});

describe('EventAppendRepository.append (the append_event function)', () => {
  let r: RepositoryDatabase;
  let events: EventsRepository;
  let appends: EventAppendRepository;

  beforeAll(async () => {
    r = await openRepositoryDatabase();
    events = new EventsRepository(r.prisma);
    appends = new EventAppendRepository(r.prisma, new PendingNotifications());
  });
  afterAll(() => r.close());

  it('stores a user message with its task, bumps the counters and chains the hash', async () => {
    const session = await seedSession(r);
    const taskId = randomUUID();
    const result = await appends.append(userMessage(session.id), {
      requireOpen: true,
      ownerId: 'alice',
      newTaskId: taskId,
    });
    expect(result).toMatchObject({ agentId: 'echo', turn: 1, event: { sessionId: session.id, seq: 1, taskId } });
    expect(result!.task).toMatchObject({
      id: taskId,
      sessionId: session.id,
      agentId: 'echo',
      triggerEventId: result!.event.id,
      triggerSeq: 1,
      turn: 1,
      status: 'submitted',
      attempts: 0,
    });
    const [row] = await r.sql<{ event_count: number; turn_count: number; last_hash: Buffer }>(
      'SELECT event_count, turn_count, last_hash FROM sessions WHERE id = $1',
      [session.id],
    );
    expect(row).toMatchObject({ event_count: 1, turn_count: 1 });
    expect(row.last_hash.toString('hex')).toBe(result!.event.hash);
  });

  const refused: [string, () => Promise<string>][] = [
    ['a missing session', async () => randomUUID()],
    ["another owner's session", async () => (await seedSession(r, { userId: 'bob' })).id],
    ...REFUSING_USER_MESSAGES.map((status): [string, () => Promise<string>] => [
      `a session in status ${status}`,
      async () => (await seedSession(r, { status })).id,
    ]),
    ['a session past its expiry', async () => (await seedSession(r, { expiresAt: new Date(Date.now() - 1000) })).id],
  ];

  it.each(refused)('appends nothing to %s and returns undefined', async (_label, sessionOf) => {
    const sessionId = await sessionOf();
    const result = await appends.append(userMessage(sessionId), {
      requireOpen: true,
      ownerId: 'alice',
      newTaskId: randomUUID(),
    });
    expect(result).toBeUndefined();
    const [counts] = await r.sql<{ events: string; tasks: string }>(
      'SELECT (SELECT count(*) FROM events WHERE session_id = $1) AS events, (SELECT count(*) FROM tasks WHERE session_id = $1) AS tasks',
      [sessionId],
    );
    expect(counts).toEqual({ events: '0', tasks: '0' });
  });

  it("appends an agent's answer to a closed session when the caller does not require it open", async () => {
    const session = await seedSession(r, { status: 'closed' });
    const answer: NewEvent = {
      id: randomUUID(),
      sessionId: session.id,
      type: 'message',
      role: 'agent',
      parts: [{ kind: 'text', text: 'late' }],
    };
    const result = await appends.append(answer, { requireOpen: false });
    expect(result).toMatchObject({ event: { seq: 1, role: 'agent' }, turn: 0 });
    expect(result!.task).toBeUndefined();
  });

  it('reopens a session on a user message only from the statuses the status machine names', async () => {
    const completed = await seedSession(r, { status: 'completed' });
    const asking = await seedSession(r, { status: 'input_required' });
    await appends.append({ ...userMessage(completed.id), role: 'agent' }, { requireOpen: true });
    expect(
      (await r.sql<{ status: string }>('SELECT status FROM sessions WHERE id = $1', [completed.id]))[0].status,
    ).toBe('completed');
    await appends.append(userMessage(completed.id), { requireOpen: true, newTaskId: randomUUID() });
    await appends.append(userMessage(asking.id), { requireOpen: true, newTaskId: randomUUID() });
    const rows = await r.sql<{ status: string }>('SELECT status FROM sessions WHERE id = ANY($1::uuid[])', [
      [completed.id, asking.id],
    ]);
    expect(rows.map((row) => row.status)).toEqual(['active', 'active']);
  });

  it('gives concurrent appends to one session gapless seqs and an unbroken hash chain', async () => {
    const session = await seedSession(r);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        appends.append(userMessage(session.id, `m${i}`), { requireOpen: true, newTaskId: randomUUID() }),
      ),
    );
    expect(results.map((result) => result!.event.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    const [chain] = await r.sql<{ broken: string; head_ok: boolean; turns: number[] }>(
      `SELECT count(*) FILTER (WHERE hash <> expected) AS broken,
              (SELECT last_hash FROM sessions WHERE id = $1) = (array_agg(hash ORDER BY seq DESC))[1] AS head_ok,
              (SELECT array_agg(turn ORDER BY trigger_seq) FROM tasks WHERE session_id = $1) AS turns
       FROM (SELECT seq, hash, event_chain_hash(lag(hash) OVER (ORDER BY seq), event_canonical(id, session_id, seq, type, role, parts,
                    task_id, metadata, model, prompt_tokens, completion_tokens, cost_usd, created_at)) AS expected
             FROM events WHERE session_id = $1) e`,
      [session.id],
    );
    expect(chain).toEqual({ broken: '0', head_ok: true, turns: Array.from({ length: 40 }, (_, i) => i + 1) });
  });

  it('hashes a priced answer with its cost as stored (numeric(12,6)), so the chain verifies from the row', async () => {
    const session = await seedSession(r);
    const usage = { promptTokens: 10, completionTokens: 5, model: 'm', costUsd: 0.004 };
    for (const costUsd of [0.004, 0, 1.2345678]) {
      await appends.append(
        { ...userMessage(session.id), role: 'agent', usage: { ...usage, costUsd } },
        { requireOpen: false },
      );
    }
    const rows = await r.sql<{ cost_usd: string; ok: boolean }>(
      `SELECT cost_usd, hash = event_chain_hash(lag(hash) OVER (ORDER BY seq), event_canonical(id, session_id, seq, type,
                role, parts, task_id, metadata, model, prompt_tokens, completion_tokens, cost_usd, created_at)) AS ok
       FROM events WHERE session_id = $1 ORDER BY seq`,
      [session.id],
    );
    expect(rows).toEqual([
      { cost_usd: '0.004000', ok: true },
      { cost_usd: '0.000000', ok: true },
      { cost_usd: '1.234568', ok: true },
    ]);
  });

  it('keys event ids by session: the same id is a new event elsewhere and a unique violation in its own session', async () => {
    const [a, b] = [await seedSession(r), await seedSession(r, { userId: 'bob' })];
    const id = randomUUID();
    await appends.append(userMessage(a.id, 'a', id), { requireOpen: true, newTaskId: randomUUID() });
    const other = await appends.append(userMessage(b.id, 'b', id), {
      requireOpen: true,
      ownerId: 'bob',
      newTaskId: randomUUID(),
    });
    expect(other!.event).toMatchObject({ id, sessionId: b.id, seq: 1 });
    expect((await events.findById(a.id, id))!.parts).toEqual([{ kind: 'text', text: 'a' }]);
    expect((await events.findById(b.id, id))!.parts).toEqual([{ kind: 'text', text: 'b' }]);
    const again = await appends
      .append(userMessage(a.id, 'a', id), { requireOpen: true, newTaskId: randomUUID() })
      .catch((error: unknown) => error);
    expect(mapPrismaError(again)).toMatchObject({ status: 409 });
    expect(
      (await r.sql<{ event_count: number }>('SELECT event_count FROM sessions WHERE id = $1', [a.id]))[0].event_count,
    ).toBe(1);
  });

  it('never notifies inside the statement: it hands the event and its task to the notifier, to be sent after commit', async () => {
    const session = await seedSession(r);
    const listener = new Client({ connectionString: r.db.url });
    await listener.connect();
    const heard: Notification[] = [];
    listener.on('notification', (n) => heard.push(n));
    await listener.query(`LISTEN ${CHANNELS.sessionEvent.wire}; LISTEN ${CHANNELS.taskQueued.wire}`);
    try {
      const notifier = new PendingNotifications();
      const taskId = randomUUID();
      await new EventAppendRepository(r.prisma, notifier).append(userMessage(session.id), {
        requireOpen: true,
        newTaskId: taskId,
      });
      expect(notifier.notifications).toEqual([
        { channel: 'sessionEvent', payload: { sessionId: session.id, seq: 1 } },
        { channel: 'taskQueued', payload: { taskId } },
      ]);
      // the function still notifies by itself when told to (p_notify, last but one argument), in the contract's encoding
      const second = randomUUID();
      await r.sql(
        `SELECT append_event($1, gen_random_uuid(), 'message', 'user', '[]', '{}', NULL, $2, NULL, NULL, NULL, NULL,
                   NULL, true, '{}', '{}', true)`,
        [session.id, second],
      );
      const deadline = Date.now() + 5_000;
      while (heard.length < 2 && Date.now() < deadline) await listener.query('SELECT 1');
      const decode = (n: Notification) =>
        n.channel === CHANNELS.sessionEvent.wire
          ? CHANNELS.sessionEvent.decode(n.payload!)
          : CHANNELS.taskQueued.decode(n.payload!);
      expect(heard.map(decode)).toEqual([{ sessionId: session.id, seq: 2 }, { taskId: second }]);
    } finally {
      await listener.end();
    }
  });
});
