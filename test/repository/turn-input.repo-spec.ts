import { randomUUID } from 'node:crypto';
import type { NewEvent } from '../../src/conversation/records/event.record.js';
import { EventAppendRepository } from '../../src/conversation/store/event-append.repository.js';
import { EventsRepository } from '../../src/conversation/store/events.repository.js';
import { ScopedStateRepository } from '../../src/conversation/store/scoped-state.repository.js';
import { SessionsRepository } from '../../src/conversation/store/sessions.repository.js';
import { TurnInputRepository } from '../../src/conversation/store/turn-input.repository.js';
import { PendingNotifications } from '../../src/platform/notifications/post-commit.js';
import { openRepositoryDatabase, seedSession, type RepositoryDatabase } from '../helpers/repository-database.js';

describe("TurnInputRepository.read (a turn's reads in one statement)", () => {
  let r: RepositoryDatabase;
  let events: EventsRepository;
  let appends: EventAppendRepository;
  let sessions: SessionsRepository;
  let scoped: ScopedStateRepository;
  let turnInputs: TurnInputRepository;

  beforeAll(async () => {
    r = await openRepositoryDatabase();
    events = new EventsRepository(r.prisma);
    appends = new EventAppendRepository(r.prisma, new PendingNotifications());
    sessions = new SessionsRepository(r.prisma);
    scoped = new ScopedStateRepository(r.prisma);
    turnInputs = new TurnInputRepository(r.prisma);
  });
  afterAll(() => r.close());

  it('reads exactly what the session, event and scoped-state reads return one by one', async () => {
    const session = await seedSession(r);
    await sessions.update(session.id, { name: 'n', metadata: { m: [1, 'x'] }, state: { s: { deep: true } } });
    await sessions.setAgentContext(session.id, { remote: 'ctx' });
    await scoped.patchUser(session.userId, session.agentId, { tz: 'UTC' });
    await scoped.patchApp(session.agentId, { flag: 1 });
    const appended: string[] = [];
    for (let i = 0; i < 5; i++) {
      const event: NewEvent = {
        id: randomUUID(),
        sessionId: session.id,
        type: 'message',
        role: i % 2 ? 'agent' : 'user',
        parts: [
          { kind: 'text', text: `e${i} "quoted" ü` },
          { kind: 'data', data: { n: i, nested: [null] } },
        ],
        metadata: { i },
        parentId: appended.at(-1) ?? null,
        usage: i === 3 ? { model: 'm', promptTokens: 2, completionTokens: 3, costUsd: 0.1234567 } : undefined,
      };
      await appends.append(event, { requireOpen: false });
      appended.push(event.id);
    }
    const read = await turnInputs.read(session.id, 4, 3);
    expect(read).toEqual({
      session: await sessions.findById(session.id),
      recent: await events.recent(session.id, 4, 3),
      ...(await scoped.read(session.userId, session.agentId)),
    });
    expect(read!.recent.map((event) => event.seq)).toEqual([2, 3, 4]);
    expect(read!.user).toEqual({ tz: 'UTC' });
  });

  it('reads no events and empty scoped state for a new session, and nothing for a missing one', async () => {
    const session = await seedSession(r, { userId: 'carol', agentId: 'other' });
    expect(await turnInputs.read(session.id, 10, 5)).toEqual({
      session: await sessions.findById(session.id),
      recent: [],
      user: {},
      app: {},
    });
    expect(await turnInputs.read(randomUUID(), 10, 5)).toBeUndefined();
  });
});
