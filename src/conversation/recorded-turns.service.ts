import { Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { assertCanWrite, writeScope, type AuthContext } from '../identity/auth/auth-context.js';
import { Errors } from '../platform/errors/domain-error.js';
import { AppConfig } from '../platform/config/app-config.js';
import { canonicalJson } from '../platform/json/canonical-json.js';
import { MetricsService } from '../platform/metrics/metrics.service.js';
import type { RecordTurnDto } from './http/dto/record-turn.dto.js';
import type { EventRecord } from './records/event.record.js';
import { priceUsage } from './records/pricing.js';
import { CLOSED_STATUSES, isWritable, type SessionRecord } from './records/session.record.js';
import type { TaskRecord } from './records/task.record.js';
import type { ConversationStores } from './store/unit-of-work.js';
import { UnitOfWork } from './store/unit-of-work.js';
import { TasksService } from './tasks.service.js';

export interface RecordedTurn {
  task: TaskRecord;
  /** the turn's events in seq order: trigger, steps, state, artifacts, answer */
  events: EventRecord[];
  /** false when this was a retry of a turn already recorded */
  created: boolean;
}

/**
 * Turns an agent ran in the client's own process, recorded whole: the user's message, the steps, the state
 * patch, the artifacts and the answer, with a task created already settled. The task is written through the
 * same lease-checked steps and settlement as a hosted run (TasksService.recordStepIn / settleIn), held by an
 * owner only this transaction knows, so no worker ever sees it queued and the records are the same.
 */
@Injectable()
export class RecordedTurnsService {
  constructor(
    private readonly config: AppConfig,
    private readonly uow: UnitOfWork,
    private readonly tasks: TasksService,
    private readonly metrics: MetricsService,
  ) {}

  async record(auth: AuthContext, sessionId: string, input: RecordTurnDto): Promise<RecordedTurn> {
    assertCanWrite(auth);
    const requestHash = createHash('sha256').update(canonicalJson(input)).digest('hex');
    const recorded = await this.uow.transaction(async (stores) => {
      // The session row lock serializes this with appends, other turns and retries of the same turn id.
      const session = await stores.sessions.lock(sessionId, writeScope(auth));
      if (!session) throw Errors.sessionNotFound();
      const existing = await stores.tasks.findByTurnId(sessionId, input.turnId);
      if (existing) {
        if (existing.requestHash !== requestHash) throw Errors.turnConflict();
        return { task: existing.task, events: await stores.events.listByTasks([existing.task.id]), created: false };
      }
      if (!isWritable(session)) throw Errors.sessionClosed(effectiveStatus(session));
      if (await stores.tasks.hasRunning(sessionId)) throw Errors.sessionBusy();
      return this.store(stores, auth, session, input, requestHash);
    });
    if (recorded.created) this.metrics.eventsAppended.inc({ role: 'user' });
    return recorded;
  }

  private async store(
    stores: ConversationStores,
    auth: AuthContext,
    session: SessionRecord,
    input: RecordTurnDto,
    requestHash: string,
  ): Promise<RecordedTurn> {
    // A question the agent asked in an earlier recorded turn is answered by this turn, which has its own task.
    await stores.tasks.cancelWaiting(session.id, 'a recorded turn followed');
    const taskId = randomUUID();
    const owner = `recorded-turn:${taskId}`;
    const trigger = {
      id: randomUUID(),
      sessionId: session.id,
      type: 'message' as const,
      role: 'user' as const,
      parts: input.input.parts,
      metadata: input.input.metadata ?? {},
    };
    const appended = await stores.appends.append(trigger, { requireOpen: true, newTaskId: taskId });
    const task = appended && (await stores.tasks.startRecorded(taskId, { owner, turnId: input.turnId, requestHash }));
    if (!task) throw Errors.sessionClosed(session.status);
    for (const step of input.steps ?? []) await this.tasks.recordStepIn(stores, task, owner, step);
    const settled = await this.tasks.settleIn(stores, task, owner, {
      status: input.output.status ?? 'completed',
      type: 'message',
      parts: input.output.parts,
      metadata: input.output.metadata,
      usage: priceUsage(input.usage, this.config.modelPrices),
      endSession: input.endSession === true,
      statePatch: input.statePatch,
      artifacts: input.artifacts,
      auth,
    });
    if (!settled) throw Errors.sessionClosed(session.status);
    return { task: settled.task, events: await stores.events.listByTasks([task.id]), created: true };
  }
}

function effectiveStatus(session: SessionRecord): string {
  return CLOSED_STATUSES.includes(session.status) ? session.status : 'expired';
}
