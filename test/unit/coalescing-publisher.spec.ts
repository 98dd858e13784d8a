import { CHANNELS } from '../../src/platform/notifications/channels.js';
import { CoalescingPublisher } from '../../src/platform/notifications/coalescing-publisher.js';
import { PendingNotifications } from '../../src/platform/notifications/post-commit.js';

type Sent = { wire: string; payload: string }[];

function publisher(windowMs = 1) {
  const batches: Sent[] = [];
  let release: () => void = () => undefined;
  let hold = false;
  const send = async (wires: string[], payloads: string[]) => {
    batches.push(wires.map((wire, i) => ({ wire, payload: payloads[i] })));
    if (hold) await new Promise<void>((resolve) => (release = resolve));
  };
  const errors: unknown[] = [];
  const p = new CoalescingPublisher(windowMs, send, (e) => errors.push(e));
  return { p, batches, errors, holdSends: (on: boolean) => (hold = on), release: () => release() };
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
  expect(check()).toBe(true);
}

describe('CoalescingPublisher', () => {
  it('sends one batch per window, one event hint per session with its newest seq and one queue wake-up', async () => {
    const { p, batches } = publisher(5);
    p.add('sessionEvent', { sessionId: 's1', seq: 1 });
    p.add('taskQueued', { taskId: 't1' });
    p.add('sessionEvent', { sessionId: 's2', seq: 7 });
    p.add('sessionEvent', { sessionId: 's1', seq: 3 });
    p.add('sessionEvent', { sessionId: 's1', seq: 2 });
    p.add('taskQueued', { taskId: 't2' });
    p.add('taskStatus', { sessionId: 's1', taskId: 't1', status: 'working' });
    p.add('taskStatus', { sessionId: 's1', taskId: 't1', status: 'completed' });
    p.add('taskStatus', { sessionId: 's1', taskId: 't1', status: 'working' });
    expect(batches).toHaveLength(0);
    await until(() => batches.length === 1);
    expect(batches[0]).toEqual([
      { wire: CHANNELS.sessionEvent.wire, payload: 's2:7' },
      { wire: CHANNELS.sessionEvent.wire, payload: 's1:3' },
      { wire: CHANNELS.taskQueued.wire, payload: 't2' },
      { wire: CHANNELS.taskStatus.wire, payload: 's1:t1:working' },
      { wire: CHANNELS.taskStatus.wire, payload: 's1:t1:completed' },
    ]);
  });

  it("announces a session's newest event after the deltas published before it, even when an older hint was pending", async () => {
    const { p, batches } = publisher(5);
    p.add('sessionEvent', { sessionId: 's1', seq: 1 });
    p.add('taskDelta', { taskId: 't1', sessionId: 's1', index: 0, text: 'Hel' });
    p.add('taskDelta', { taskId: 't1', sessionId: 's1', index: 1, text: 'lo' });
    p.add('sessionEvent', { sessionId: 's1', seq: 2 });
    p.add('taskStatus', { sessionId: 's1', taskId: 't1', status: 'completed' });
    await until(() => batches.length === 1);
    expect(batches[0].map((n) => n.wire)).toEqual([
      CHANNELS.taskDelta.wire,
      CHANNELS.taskDelta.wire,
      CHANNELS.sessionEvent.wire,
      CHANNELS.taskStatus.wire,
    ]);
    expect(batches[0][2].payload).toBe('s1:2');
  });

  it('keeps one send in flight: what arrives meanwhile goes out in the next batch, nothing is dropped', async () => {
    const { p, batches, holdSends, release } = publisher(0);
    holdSends(true);
    p.add('sessionEvent', { sessionId: 's1', seq: 1 });
    await until(() => batches.length === 1);
    for (let seq = 2; seq <= 5; seq++) p.add('sessionEvent', { sessionId: 's1', seq });
    p.add('sessionEvent', { sessionId: 's2', seq: 1 });
    await new Promise((r) => setTimeout(r, 20));
    expect(batches).toHaveLength(1);
    holdSends(false);
    release();
    await until(() => batches.length === 2);
    expect(batches[1].map((n) => n.payload)).toEqual(['s1:5', 's2:1']);
  });

  it('reports a failed send and goes on with the next batch', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const p = new CoalescingPublisher(
      0,
      async () => {
        if (++calls === 1) throw new Error('connection lost');
      },
      (e) => errors.push(e),
    );
    p.add('taskQueued', { taskId: 't1' });
    await p.flush();
    p.add('taskQueued', { taskId: 't2' });
    await p.flush();
    expect(errors).toHaveLength(1);
    expect(calls).toBe(2);
  });
});

describe('PendingNotifications', () => {
  it('holds a transaction’s notifications and passes them on in order only when released', () => {
    const pending = new PendingNotifications();
    const target = new PendingNotifications();
    pending.notifyAfterCommit('sessionEvent', { sessionId: 's', seq: 1 });
    pending.notifyAfterCommit('taskStatus', { sessionId: 's', taskId: 't', status: 'completed' });
    expect(target.notifications).toHaveLength(0);
    pending.releaseTo(target);
    expect(target.notifications.map((n) => n.channel)).toEqual(['sessionEvent', 'taskStatus']);
    expect(pending.notifications).toHaveLength(0);
  });
});
