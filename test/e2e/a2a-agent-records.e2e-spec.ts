import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auth, createSession, say } from '../helpers/factories.js';
import { FakeA2aServer } from '../helpers/fake-a2a-server.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { createTestDatabase, sql, type TestDatabase } from '../helpers/test-database.js';

describe('a2a agent kind: remote progress as steps, remote artifacts, the remote context kept across a restart', () => {
  const remote = new FakeA2aServer();
  let db: TestDatabase;
  let env: Record<string, string>;
  let t: TestApp;

  beforeAll(async () => {
    await remote.start();
    const file = join(mkdtempSync(join(tmpdir(), 'agents-')), 'agents.json');
    writeFileSync(file, JSON.stringify({ agents: [{ id: 'remote', kind: 'a2a', url: remote.url }] }));
    env = { AGENTS_FILE: file, AGENT_TIMEOUT_MS: '10000' };
    db = await createTestDatabase();
    t = await startTestApp({ db, env });
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
    await remote.stop();
  });

  it('stores the remote status message as a step and its artifact as the task artifact; continues the context after a restart', async () => {
    const token = await t.token('alice');
    const session = await createSession(t, token, { agentId: 'remote' });
    const first = await say(t, token, session.id, 'order 42');
    expect(first.body.task.status).toBe('completed');
    expect(first.body.response.parts).toEqual([{ kind: 'text', text: 'Turn 1 of this context: done with order 42' }]);

    const events = (await t.http().get(`/v1/sessions/${session.id}/events`).set(auth(token))).body.data;
    expect(events.map((e: { type: string; role: string }) => `${e.type}/${e.role}`)).toEqual([
      'message/user',
      'message/agent',
      'artifact/agent',
      'message/agent',
    ]);
    expect(events[1]).toMatchObject({
      parentId: events[0].id,
      taskId: first.body.task.id,
      parts: [{ kind: 'text', text: 'Looking into: order 42' }],
      metadata: { attempt: 1 },
    });
    const task = await t.http().get(`/v1/tasks/${first.body.task.id}`).set(auth(token));
    expect(task.body.artifacts).toEqual([
      expect.objectContaining({ name: 'findings', parts: [{ kind: 'text', text: 'findings for order 42' }] }),
    ]);

    const [stored] = await sql<{ agent_context: { contextId: string } }>(
      db.url,
      'SELECT agent_context FROM sessions WHERE id = $1',
      [session.id],
    );
    expect(stored.agent_context.contextId).toEqual(expect.any(String));
    expect(remote.received[0]).toEqual({ contextId: stored.agent_context.contextId, text: 'order 42' });

    await t.close(); // a restart: nothing of the remote conversation is left in memory
    t = await startTestApp({ db, env });
    const second = await say(t, await t.token('alice'), session.id, 'and now?');
    expect(second.body.response.parts).toEqual([{ kind: 'text', text: 'Turn 2 of this context: done with and now?' }]);
    expect(remote.received[1]).toEqual({ contextId: stored.agent_context.contextId, text: 'and now?' });
    const session2 = await t
      .http()
      .get(`/v1/sessions/${session.id}`)
      .set(auth(await t.token('alice')));
    expect(JSON.stringify(session2.body)).not.toContain(stored.agent_context.contextId);
  });
});
