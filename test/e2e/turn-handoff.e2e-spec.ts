import { EventsRepository } from '../../src/conversation/store/events.repository.js';
import { TasksRepository } from '../../src/conversation/store/tasks.repository.js';
import { createSession, say } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/** A ?wait=true turn: handed over in process where it ran, woken by notification where it did not. */
describe('waiting for a turn', () => {
  let t: TestApp;
  let alice: string;

  beforeAll(async () => {
    t = await startTestApp();
    alice = await t.token('alice');
  });
  afterAll(() => t.close());

  it('gets the answer from the settle on the same instance without reading the task or the answer', async () => {
    const session = await createSession(t, alice);
    const taskReads = jest.spyOn(t.app.get(TasksRepository), 'findById');
    const eventReads = jest.spyOn(t.app.get(EventsRepository), 'findById');
    try {
      const res = await say(t, alice, session.id, 'hello');
      expect(res.status).toBe(201);
      expect(res.body.task).toMatchObject({ status: 'completed', responseEventId: res.body.response.id });
      expect(res.body.response.parts[0].text).toContain('hello');
      expect(taskReads.mock.calls.filter(([id]) => id === res.body.task.id)).toEqual([]);
      expect(eventReads.mock.calls.filter(([, id]) => id === res.body.response.id)).toEqual([]);
    } finally {
      taskReads.mockRestore();
      eventReads.mockRestore();
    }
  });

  it("wakes on another instance's settle, past its working status, and reads the answer there", async () => {
    const front = await startTestApp({ db: t.db, env: { WORKER_ENABLED: 'false' } });
    try {
      const session = await createSession(front, alice);
      const taskReads = jest.spyOn(front.app.get(TasksRepository), 'findById');
      const started = Date.now();
      const res = await say(front, alice, session.id, 'from afar');
      const safetyPolls = Math.floor((Date.now() - started) / 1_000);
      expect(res.status).toBe(201);
      expect(res.body.task.status).toBe('completed');
      expect(res.body.response.parts[0].text).toContain('from afar');
      // no read before the first wake-up, and none for the task's `working` notification: one once it settled
      // (and one per 1 s safety poll, should the machine be that slow)
      const reads = taskReads.mock.calls.filter(([id]) => id === res.body.task.id).length;
      expect(reads).toBeGreaterThanOrEqual(1);
      expect(reads).toBeLessThanOrEqual(1 + safetyPolls);
    } finally {
      await front.close();
    }
  });
});
