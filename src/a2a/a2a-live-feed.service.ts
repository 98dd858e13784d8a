import { Injectable } from '@nestjs/common';
import type { StreamResponse, TaskStatusUpdateEvent } from '@a2a-js/sdk';
import { AppConfig } from '../platform/config/app-config.js';
import { NotificationsService } from '../platform/notifications/notifications.service.js';
import { TaskDeltasService } from '../live/task-deltas.service.js';
import { TaskWaiter } from '../conversation/task-waiter.service.js';
import { isSettled } from '../conversation/records/task.record.js';
import type { EventRecord } from '../conversation/records/event.record.js';
import { ConversationReader } from '../conversation/conversation.reader.js';
import { artifactUpdate, statusUpdate, stepUpdate, workingUpdate } from './a2a-message.mapper.js';
import { A2aTaskReader } from './a2a-task.store.js';

/** Reads the session's event at one seq (a stored step is announced by its session and seq). */
export type EventAt = (sessionId: string, seq: number) => Promise<EventRecord | undefined>;

/**
 * What happens to one task while it runs, as A2A status updates: `working` when a worker claims it, the
 * agent's text as it is produced (a `working` update whose message is the new piece), and each step the agent
 * stores (tool call, tool result, intermediate message: a `working` update whose message is the step, with
 * `metadata.step`). All arrive through PostgreSQL NOTIFY, so this works whichever instance runs the agent.
 * Subscribe before the task can start.
 */
export class LiveTaskFeed {
  private readonly queue: TaskStatusUpdateEvent[] = [];
  private readonly unsubscribe: (() => void)[];
  private wake: () => void = () => undefined;
  private closed = false;
  /** step reads, chained so steps are queued in the order they were stored */
  private steps: Promise<void> = Promise.resolve();

  constructor(
    deltas: TaskDeltasService,
    notifications: NotificationsService,
    eventAt: EventAt,
    taskId: string,
    contextId: string,
  ) {
    this.unsubscribe = [
      deltas.subscribe(taskId, (delta) => this.push(workingUpdate(taskId, contextId, delta))),
      notifications.on('taskStatus', (change) => {
        if (change.taskId === taskId && change.status === 'working') this.push(workingUpdate(taskId, contextId));
      }),
      notifications.on('sessionEvent', ({ sessionId, seq }) => {
        if (sessionId !== contextId) return;
        this.steps = this.steps.then(async () => {
          const event = await eventAt(sessionId, seq).catch(() => undefined);
          if (event && event.taskId === taskId && isStep(event)) this.push(stepUpdate(event));
        });
      }),
    ];
  }

  /** The updates received so far and from now on, until `until` settles (then what is queued, then done). */
  async *updates(until: Promise<unknown>): AsyncGenerator<TaskStatusUpdateEvent, void, undefined> {
    const close = () => void this.steps.then(() => this.close());
    until.then(close, close);
    for (;;) {
      const next = this.queue.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const off of this.unsubscribe) off();
    this.wake();
  }

  private push(update: TaskStatusUpdateEvent): void {
    if (this.closed) return;
    this.queue.push(update);
    this.wake();
  }
}

/** A step of a run: a tool call or result, or an intermediate agent message (steps have a parent; answers do not). */
function isStep(event: EventRecord): boolean {
  return event.parentId !== null && ['tool_call', 'tool_result', 'message'].includes(event.type);
}

/** What a follower of a task receives: status updates and, before the final status, the task's artifacts. */
export type LiveUpdate = Extract<NonNullable<StreamResponse['payload']>, { $case: 'statusUpdate' | 'artifactUpdate' }>;

@Injectable()
export class A2aLiveFeeds {
  constructor(
    private readonly config: AppConfig,
    private readonly deltas: TaskDeltasService,
    private readonly notifications: NotificationsService,
    private readonly waiter: TaskWaiter,
    private readonly reader: A2aTaskReader,
    private readonly conversation: ConversationReader,
  ) {}

  open(taskId: string, contextId: string): LiveTaskFeed {
    const eventAt: EventAt = async (sessionId, seq) =>
      (await this.conversation.eventsAfter(sessionId, seq - 1, 1)).find((event) => event.seq === seq);
    return new LiveTaskFeed(this.deltas, this.notifications, eventAt, taskId, contextId);
  }

  /**
   * Follows a task until it settles: its live updates (from `feed`, opened beforehand), then each artifact it
   * produced (a TaskArtifactUpdateEvent; artifacts are stored with the answer) and its final status with the
   * stored answer. A task not settled within WAIT_TIMEOUT_MS ends the updates without a final status; the
   * client can get the task or subscribe again.
   */
  async *follow(feed: LiveTaskFeed, taskId: string): AsyncGenerator<LiveUpdate, void, undefined> {
    const settled = this.waiter.waitSettled(taskId, this.config.worker.waitTimeoutMs);
    for await (const update of feed.updates(settled)) yield { $case: 'statusUpdate', value: update };
    const task = await settled;
    if (!task || !isSettled(task)) return;
    const snapshot = await this.reader.snapshot(task);
    for (const artifact of snapshot.artifacts)
      yield { $case: 'artifactUpdate', value: artifactUpdate(snapshot, artifact) };
    yield { $case: 'statusUpdate', value: statusUpdate(snapshot) };
  }
}
