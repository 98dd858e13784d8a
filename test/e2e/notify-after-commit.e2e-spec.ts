import { Client } from 'pg';
import { CHANNELS } from '../../src/platform/notifications/channels.js';
import { NotificationsService } from '../../src/platform/notifications/notifications.service.js';
import { auth, createSession, say } from '../helpers/factories.js';
import { readSse, type SseMessage } from '../helpers/sse-client.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { sql } from '../helpers/test-database.js';

const seqsOf = (messages: SseMessage[]) => messages.filter((m) => m.event === 'session.event').map((m) => Number(m.id));

/** Notifications go out after commit, coalesced (docs/scaling.md): streams must still see every event, in order. */
describe('notifications after commit', () => {
  let t: TestApp;
  let alice: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { WORKER_ENABLED: 'false' } });
    alice = await t.token('alice');
  });
  afterAll(() => t.close());

  it('streams on another instance every event of concurrent appends, once each and in seq order', async () => {
    const other = await startTestApp({ db: t.db, env: { WORKER_ENABLED: 'false' } });
    try {
      const session = await createSession(t, alice);
      await say(t, alice, session.id, 'first', false);
      let posted = false;
      const result = await readSse(`${other.baseUrl}/v1/sessions/${session.id}/stream`, {
        headers: auth(alice),
        timeoutMs: 20_000,
        onMessage: async (_m, all) => {
          if (posted || !seqsOf(all).includes(1)) return;
          posted = true;
          const statuses = await Promise.all(
            Array.from({ length: 40 }, async (_, i) => (await say(t, alice, session.id, `m${i}`, false)).status),
          );
          expect(statuses.every((s) => s === 201 || s === 202)).toBe(true);
        },
        until: (all) => seqsOf(all).length >= 41,
      });
      expect(seqsOf(result.messages)).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
    } finally {
      await other.close();
    }
  });

  it('still streams an event whose commit was never announced (the instance died before its NOTIFY)', async () => {
    const session = await createSession(t, alice);
    await say(t, alice, session.id, 'announced', false);
    let written = false;
    const result = await readSse(`${t.baseUrl}/v1/sessions/${session.id}/stream`, {
      headers: auth(alice),
      timeoutMs: 15_000,
      onMessage: async (_m, all) => {
        if (written || !seqsOf(all).includes(1)) return;
        written = true;
        // what a crash between commit and NOTIFY leaves behind: the row, and no notification
        await sql(
          t.db.url,
          `SELECT append_event($1, gen_random_uuid(), 'message', 'user', '[{"kind":"text","text":"silent"}]', '{}',
                  NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, '{}', '{}', false)`,
          [session.id],
        );
      },
      until: (all) => seqsOf(all).includes(2),
    });
    expect(seqsOf(result.messages)).toEqual([1, 2]);
    expect(result.messages.at(-1)!.data.parts).toEqual([{ kind: 'text', text: 'silent' }]);
  });

  it('announces a burst of appends to one session at most once per append, in seq order, the last one with the newest seq', async () => {
    const session = await createSession(t, alice);
    const listener = new Client({ connectionString: t.db.url });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (n) => {
      if (n.payload?.startsWith(`${session.id}:`)) heard.push(n.payload);
    });
    await listener.query(`LISTEN ${CHANNELS.sessionEvent.wire}`);
    try {
      await Promise.all(Array.from({ length: 30 }, (_, i) => say(t, alice, session.id, `b${i}`, false)));
      const deadline = Date.now() + 10_000;
      while (!heard.includes(`${session.id}:30`) && Date.now() < deadline) await listener.query('SELECT 1');
      expect(heard.at(-1)).toBe(`${session.id}:30`);
      const seqs = heard.map((p) => Number(p.split(':')[1]));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(heard.length).toBeLessThanOrEqual(30);
    } finally {
      await listener.end();
    }
  });

  it('hands a turn over in process: its own instance hears each status once, though it also comes back through LISTEN', async () => {
    const w = await startTestApp({ db: t.db });
    try {
      const notifications = w.app.get(NotificationsService);
      const session = await createSession(w, alice);
      const heard: string[] = [];
      const off = notifications.on('taskStatus', (c) => c.sessionId === session.id && heard.push(c.status));
      const offQueued = notifications.on('taskQueued', () => heard.push('queued'));
      try {
        const res = await say(w, alice, session.id, 'hello');
        expect(res.status).toBe(201);
        await notifications.flushPending();
        // committed after the batches above, so heard after their echoes: when it arrives, every echo has
        let sentinel = false;
        const offSentinel = notifications.on('tokenRevoked', (p) => p.tokenId === session.id && (sentinel = true));
        await notifications.publish('tokenRevoked', { tokenId: session.id });
        const deadline = Date.now() + 5_000;
        while (!sentinel && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        offSentinel();
        expect(sentinel).toBe(true);
        expect(heard).toEqual(['queued', 'working', 'completed']);
      } finally {
        off();
        offQueued();
      }
    } finally {
      await w.close();
    }
  });
});
