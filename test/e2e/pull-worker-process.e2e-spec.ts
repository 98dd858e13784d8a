import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { auth, createSession, eventually, say, text } from '../helpers/factories.js';
import { externalAgentsFile } from '../helpers/pull-agents.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { sql } from '../helpers/test-database.js';

const SCRIPT = resolve(__dirname, '..', 'helpers', 'pull-worker.mjs');

/** test/helpers/pull-worker.mjs in its own process; `lines` collects what it prints. */
class WorkerProcess {
  readonly lines: Record<string, unknown>[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, [SCRIPT], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let pending = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      const parts = (pending + chunk.toString('utf8')).split('\n');
      pending = parts.pop()!;
      for (const line of parts) this.lines.push(JSON.parse(line) as Record<string, unknown>);
    });
    this.exited = new Promise((done) => this.child.once('exit', () => done()));
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    await this.exited;
  }
}

describe('a pull worker in another process', () => {
  let t: TestApp;
  let alice: string;
  let env: Record<string, string>;
  const workers: WorkerProcess[] = [];
  const startWorker = (extra: Record<string, string>) => {
    const worker = new WorkerProcess({ ...env, ...extra });
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    t = await startTestApp({ env: { AGENTS_FILE: externalAgentsFile('support') } });
    alice = await t.token('alice');
    env = { BASE_URL: t.baseUrl, TOKEN: await t.agentToken(['support']), AGENT_ID: 'support' };
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.kill()));
  });
  afterAll(() => t.close());

  const agentAnswers = (taskId: string) =>
    sql<{ text: string }>(
      t.db.url,
      `SELECT parts->0->>'text' AS text FROM events
       WHERE task_id = $1 AND role = 'agent' AND type = 'message' AND parent_id IS NULL`,
      [taskId],
    );

  it('answers the tasks of several sessions, each turn with its steps', async () => {
    startWorker({ WORKER_NAME: 'w1' });
    const sessions = await Promise.all([1, 2, 3].map(() => createSession(t, alice, { agentId: 'support' })));
    const answers = await Promise.all(sessions.map((s, i) => say(t, alice, s.id, `question ${i}`)));
    for (const [i, res] of answers.entries()) {
      expect(res.status).toBe(201);
      expect(res.body.response.parts).toEqual(text(`w1 answers: question ${i}`));
    }
    const events = (await t.http().get(`/v1/sessions/${sessions[0].id}/events`).set(auth(alice))).body.data;
    expect(events.map((e: { type: string }) => e.type)).toEqual(['message', 'tool_call', 'tool_result', 'message']);
  });

  it('killed mid-task: the lease runs out, a second worker finishes it, and there is one answer', async () => {
    const first = startWorker({ WORKER_NAME: 'doomed', HOLD: 'hold' });
    const session = await createSession(t, alice, { agentId: 'support' });
    const posted = await say(t, alice, session.id, 'please hold', false);
    const taskId = posted.body.task.id as string;
    await eventually(
      async () => first.lines,
      (lines) => lines.some((line) => line.claimed === taskId),
    );
    // the step of its run is stored before it dies
    await eventually(
      () => sql(t.db.url, "SELECT 1 FROM events WHERE task_id = $1 AND type = 'tool_call'", [taskId]),
      (rows) => rows.length === 1,
    );
    await first.kill('SIGKILL');

    const second = startWorker({ WORKER_NAME: 'rescuer' });
    const task = await eventually(
      async () => (await t.http().get(`/v1/tasks/${taskId}`).set(auth(alice))).body,
      (body) => body.status === 'completed',
      20_000,
    );
    expect(task.attempts).toBe(2);
    expect(second.lines).toContainEqual(expect.objectContaining({ claimed: taskId, attempt: 2 }));
    expect(await agentAnswers(taskId)).toEqual([{ text: 'rescuer answers: please hold' }]);
    const calls = await sql<{ attempt: string }>(
      t.db.url,
      "SELECT metadata->>'attempt' AS attempt FROM events WHERE task_id = $1 AND type = 'tool_call' ORDER BY seq",
      [taskId],
    );
    expect(calls).toEqual([{ attempt: '1' }, { attempt: '2' }]);
    expect((await t.http().get(`/v1/sessions/${session.id}/verify`).set(auth(alice))).body.valid).toBe(true);
  });
});
