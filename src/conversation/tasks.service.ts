import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  agentReadScope,
  assertCanWrite,
  mayWriteAppState,
  seesAgent,
  writeScope,
  type AuthContext,
} from '../identity/auth/auth-context.js';
import { Errors } from '../platform/errors/domain-error.js';
import { fetchPage } from '../platform/http/pagination.js';
import { mergePatch, isJsonObject, type JsonObject } from '../platform/json/json.js';
import type { EventRecord, EventType, Part, Usage } from './records/event.record.js';
import { artifactMetadata, stepEvent, type TurnArtifact, type TurnStep } from './records/turn-step.record.js';
import type { TaskRecord, TaskStatus } from './records/task.record.js';
import { isEmpty, splitStatePatch } from './records/scoped-state.js';
import {
  canMoveTask,
  isFinalTaskStatus,
  sessionMoves,
  taskStatusesMovingTo,
  type SessionChange,
} from './status.machine.js';
import { SessionsRepository } from './store/sessions.repository.js';
import { TasksRepository } from './store/tasks.repository.js';
import { EventsRepository } from './store/events.repository.js';
import type { SettledTask, TaskSettlementWrite } from './store/settlements.repository.js';
import { UnitOfWork, type ConversationStores } from './store/unit-of-work.js';
import { TaskWaiter } from './task-waiter.service.js';

export type { SettledTask } from './store/settlements.repository.js';

/** How a run of a task ended, as the runtime reports it. */
export interface TaskSettlement {
  status: Extract<TaskStatus, 'completed' | 'input_required' | 'failed'>;
  type: Extract<EventType, 'message' | 'error'>;
  parts: Part[];
  usage?: Usage | null;
  error?: string;
  /** the agent finished the conversation (the session becomes `completed`) */
  endSession?: boolean;
  /** JSON merge patch to the session state, applied with the answer and recorded as a `state` event */
  statePatch?: JsonObject;
  /** the task's artifacts, stored with the answer */
  artifacts?: TurnArtifact[];
  /** the answer's own metadata; the keys the conversation sets (taskStatus, endSession) win */
  metadata?: JsonObject;
  /** who reports the outcome when it is not a hosted agent (a recorded turn's client); decides app: state writes */
  auth?: AuthContext;
  /** what the agent remembers about the session for its next turn (replaces the stored one) */
  agentContext?: JsonObject;
}

/** A task with its artifacts, as `GET /v1/tasks/:id` shows it. */
export interface TaskView {
  task: TaskRecord;
  artifacts: EventRecord[];
}

export interface TaskPage {
  data: TaskRecord[];
  nextAfter: number | null;
}

@Injectable()
export class TasksService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly tasks: TasksRepository,
    private readonly sessions: SessionsRepository,
    private readonly events: EventsRepository,
    private readonly waiter: TaskWaiter,
  ) {}

  async get(auth: AuthContext, id: string): Promise<TaskRecord> {
    const task = await this.tasks.findById(id, agentReadScope(auth));
    if (!task || !seesAgent(auth, task.agentId)) throw Errors.taskNotFound();
    return task;
  }

  /** One task and the artifacts its answer came with. */
  async view(auth: AuthContext, id: string): Promise<TaskView> {
    const task = await this.get(auth, id);
    return { task, artifacts: await this.events.listOfTask(id, ['artifact']) };
  }

  async listForSession(auth: AuthContext, sessionId: string, after: number, limit: number): Promise<TaskPage> {
    const session = await this.sessions.findById(sessionId, agentReadScope(auth));
    if (!session || !seesAgent(auth, session.agentId)) throw Errors.sessionNotFound();
    const page = await fetchPage(
      limit,
      (take) => this.tasks.listBySession(sessionId, after, take),
      (task) => task.triggerSeq,
    );
    return { data: page.data, nextAfter: page.next };
  }

  /** Cancels a task that has not finished; a worker running it notices at its next lease check. */
  async cancel(auth: AuthContext, id: string): Promise<TaskRecord> {
    assertCanWrite(auth);
    return this.uow.transaction(async ({ sessions, tasks }) => {
      const task = await tasks.findById(id, writeScope(auth));
      if (!task) throw Errors.taskNotFound();
      const locked = await sessions.lock(task.sessionId, undefined);
      const current = (await tasks.findById(id))!;
      if (!locked || !canMoveTask(current.status, 'canceled')) throw Errors.taskNotCancelable(current.status);
      return tasks.finish(id, { status: 'canceled', error: 'canceled by client' });
    });
  }

  /**
   * Stores a run's outcome atomically: the answer event, the task's status and the session's status. Only while
   * `owner` still holds the task's lease, so each task gets exactly one answer; false otherwise. A plain answer is
   * one call of the settle_task function; artifacts or a state patch make it a transaction around that call. A
   * `?wait=true` request on this instance gets the answer handed over in process, before the notifications go out.
   */
  async settle(task: TaskRecord, owner: string, outcome: TaskSettlement): Promise<boolean> {
    const handOver = (settled: SettledTask | undefined) => settled && this.waiter.settled(settled);
    const settled = writesBeforeAnswer(outcome)
      ? await this.uow.transaction((stores) => this.settleIn(stores, task, owner, outcome), handOver)
      : await this.uow.statement(
          ({ settlements }) => settlements.settle(settlementWrite(task, owner, outcome)),
          handOver,
        );
    return settled !== undefined;
  }

  /** `settle` inside the caller's transaction (a recorded turn settles its task with the rest of the turn). */
  async settleIn(
    stores: ConversationStores,
    task: TaskRecord,
    owner: string,
    outcome: TaskSettlement,
  ): Promise<SettledTask | undefined> {
    if (writesBeforeAnswer(outcome)) {
      // checked before the artifacts and the state patch are written; settle_task checks again
      const held = await stores.tasks.lockHeld(task.id, owner);
      if (!held || !canMoveTask(held.status, outcome.status)) return undefined;
      await appendArtifacts(stores, held, outcome.artifacts ?? []);
      if (outcome.statePatch) await applyStatePatch(stores, held, outcome.statePatch, outcome.auth);
    }
    return stores.settlements.settle(settlementWrite(task, owner, outcome));
  }

  /**
   * Stores one step of a run as an event of the task, with the run's attempt number and its parent link,
   * only while `owner` holds the task's lease (checked under the task's row lock in the same transaction).
   * Returns the stored event, or undefined when the lease is gone and the step was refused.
   */
  async recordStep(task: TaskRecord, owner: string, step: TurnStep): Promise<EventRecord | undefined> {
    return this.uow.transaction((stores) => this.recordStepIn(stores, task, owner, step));
  }

  /**
   * `recordStep` for several steps in order, all in one transaction: every step is stored, or none when the
   * lease is gone (undefined).
   */
  async recordSteps(task: TaskRecord, owner: string, steps: TurnStep[]): Promise<EventRecord[] | undefined> {
    return this.uow.transaction(async (stores) => {
      const stored: EventRecord[] = [];
      for (const step of steps) {
        const event = await this.recordStepIn(stores, task, owner, step);
        if (!event) return undefined;
        stored.push(event);
      }
      return stored;
    });
  }

  /**
   * `recordStep` inside the caller's transaction. A step's own `metadata` is kept on its event; the keys the
   * conversation sets (callId, name, isError, attempt) win over the step's.
   */
  async recordStepIn(
    { events, appends, tasks }: ConversationStores,
    task: TaskRecord,
    owner: string,
    step: TurnStep & { metadata?: JsonObject },
  ): Promise<EventRecord | undefined> {
    const held = await tasks.lockHeld(task.id, owner);
    if (!held) return undefined;
    const parentId = (await events.stepParent(held.id, held.attempts, step)) ?? held.triggerEventId;
    const stored = stepEvent(step);
    const appended = await appends.append(
      {
        id: randomUUID(),
        sessionId: held.sessionId,
        type: stored.type,
        role: stored.role,
        parts: stored.parts,
        taskId: held.id,
        parentId,
        metadata: { ...step.metadata, ...stored.metadata, attempt: held.attempts },
      },
      { requireOpen: false },
    );
    return appended?.event;
  }
}

async function appendArtifacts(stores: ConversationStores, task: TaskRecord, artifacts: TurnArtifact[]): Promise<void> {
  for (const artifact of artifacts) {
    const event = { id: randomUUID(), sessionId: task.sessionId, type: 'artifact' as const, role: 'agent' as const };
    await stores.appends.append(
      { ...event, parts: artifact.parts, taskId: task.id, metadata: artifactMetadata(artifact) },
      { requireOpen: false },
    );
  }
}

/**
 * The agent's state patch, merged like a client's and recorded the same way, as a `state` event. Keys are routed
 * by scope (records/scoped-state.ts): `user:` to the user's state with the agent, `app:` to the agent's (only
 * when the reporter may write it), `temp:` dropped, the rest to the session; all in the answer's transaction.
 */
async function applyStatePatch(
  stores: ConversationStores,
  task: TaskRecord,
  patch: JsonObject,
  auth: AuthContext | undefined,
): Promise<void> {
  const scoped = splitStatePatch(patch);
  if (isEmpty(scoped.recorded)) return;
  if (!isEmpty(scoped.app) && !mayWriteAppState(auth, task.agentId)) throw Errors.appStateForbidden();
  // locked, so a client's concurrent state patch is not lost
  const session = await stores.sessions.lock(task.sessionId, undefined);
  if (!session) return;
  let state = session.state;
  if (!isEmpty(scoped.session)) {
    const merged = mergePatch(session.state, scoped.session);
    state = isJsonObject(merged) ? merged : {};
    await stores.sessions.update(task.sessionId, { state });
  }
  if (!isEmpty(scoped.user)) await stores.scopedState.patchUser(session.userId, session.agentId, scoped.user);
  if (!isEmpty(scoped.app)) await stores.scopedState.patchApp(session.agentId, scoped.app);
  await stores.appends.append(
    {
      id: randomUUID(),
      sessionId: task.sessionId,
      type: 'state',
      role: 'agent',
      parts: [{ kind: 'data', data: { patch: scoped.recorded, state } }],
      taskId: task.id,
    },
    { requireOpen: false },
  );
}

/** Artifacts and a state patch are written by the service before the answer, in the answer's transaction. */
function writesBeforeAnswer(outcome: TaskSettlement): boolean {
  return (outcome.artifacts?.length ?? 0) > 0 || outcome.statePatch !== undefined;
}

/** What settle_task stores for this outcome; the status machine's rules go with it. */
function settlementWrite(task: TaskRecord, owner: string, outcome: TaskSettlement): TaskSettlementWrite {
  return {
    sessionId: task.sessionId,
    taskId: task.id,
    owner,
    status: outcome.status,
    fromStatuses: taskStatusesMovingTo(outcome.status),
    final: isFinalTaskStatus(outcome.status),
    error: outcome.error ?? null,
    answer: {
      id: randomUUID(),
      type: outcome.type,
      parts: outcome.parts,
      // The task's outcome travels with the answer, so replaying events alone can tell the session's status.
      metadata: {
        ...outcome.metadata,
        taskStatus: outcome.status,
        ...(outcome.endSession ? { endSession: true } : {}),
      },
      usage: outcome.usage ?? null,
    },
    agentContext: outcome.agentContext,
    sessionMoves: sessionMoves(sessionChangeOf(outcome)),
  };
}

function sessionChangeOf(outcome: TaskSettlement): SessionChange {
  if (outcome.status === 'input_required') return 'agent_asked';
  return outcome.status === 'completed' && outcome.endSession ? 'agent_ended' : 'agent_answered';
}
