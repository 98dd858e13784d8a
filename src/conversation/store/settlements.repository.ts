import { Inject, Injectable } from '@nestjs/common';
import type { JsonObject } from '../../platform/json/json.js';
import { PrismaService, type PrismaTx } from '../../platform/database/prisma.service.js';
import { NotificationsService } from '../../platform/notifications/notifications.service.js';
import type { PostCommitNotifier } from '../../platform/notifications/post-commit.js';
import { REFUSING_USER_MESSAGES, REOPENED_BY_USER_MESSAGE } from '../status.machine.js';
import { toTaskRecord, type TaskRow } from '../records/task.row.js';
import type { TaskRecord, TaskStatus } from '../records/task.record.js';
import type { SessionStatus } from '../records/session.record.js';
import type { EventRecord, EventType, Part, Usage } from '../records/event.record.js';
import { EVENT_COLUMNS, TASK_JSON_FIELDS, toEventRecord, type EventRow } from './events.repository.js';

/** Everything the settle_task function stores; the service decides each field (status rules included). */
export interface TaskSettlementWrite {
  sessionId: string;
  taskId: string;
  /** the lease holder; nothing is written unless it still holds the task */
  owner: string;
  status: TaskStatus;
  /** task statuses that may move to `status` (the status machine's) */
  fromStatuses: readonly TaskStatus[];
  /** the task will not change again (finished_at is set) */
  final: boolean;
  error: string | null;
  answer: { id: string; type: EventType; parts: Part[]; metadata: JsonObject; usage: Usage | null };
  /** replaces what the agent remembers about the session; undefined leaves it */
  agentContext?: JsonObject;
  /** the session's status move for this outcome, `{ from: to }` */
  sessionMoves: Partial<Record<SessionStatus, SessionStatus>>;
}

/** A settled task and its answer event. */
export interface SettledTask {
  task: TaskRecord;
  response: EventRecord;
}

type SettleRow = EventRow & { task: TaskRow };

/** Settling a task run: one call of the settle_task SQL function (migration 20261130090200_settle_task). */
@Injectable()
export class SettlementsRepository {
  /** `notifier` gets the answer and the status change; bound to a transaction, it holds them until commit. */
  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaTx,
    @Inject(NotificationsService) private readonly notifier: PostCommitNotifier,
  ) {}

  /** Stores the answer and the task's outcome; undefined (nothing written) when `owner` no longer holds the task. */
  async settle(write: TaskSettlementWrite): Promise<SettledTask | undefined> {
    const { answer } = write;
    const usage = answer.usage;
    const rows = await this.prisma.$queryRaw<SettleRow[]>`
      SELECT ${EVENT_COLUMNS}, json_build_object(${TASK_JSON_FIELDS}) AS task
      FROM settle_task(${write.sessionId}::uuid, ${write.taskId}::uuid, ${write.owner}::text, ${write.status}::text,
             ${write.fromStatuses}::text[], ${write.final}::boolean, ${write.error}::text, ${answer.id}::uuid,
             ${answer.type}::text, ${JSON.stringify(answer.parts)}::jsonb, ${JSON.stringify(answer.metadata)}::jsonb,
             ${usage?.model ?? null}::text, ${usage?.promptTokens ?? null}::int, ${usage?.completionTokens ?? null}::int,
             ${usage?.costUsd ?? null}::numeric,
             ${write.agentContext === undefined ? null : JSON.stringify(write.agentContext)}::jsonb,
             ${JSON.stringify(write.sessionMoves)}::jsonb, ${REFUSING_USER_MESSAGES}::text[],
             ${REOPENED_BY_USER_MESSAGE}::text[]) r,
           LATERAL (SELECT (r.event).*) e, LATERAL (SELECT (r.task).*) t`;
    const row = rows[0];
    if (!row) return undefined;
    const settled = { task: toTaskRecord(row.task), response: toEventRecord(row) };
    this.notifier.notifyAfterCommit('sessionEvent', { sessionId: write.sessionId, seq: settled.response.seq });
    this.notifier.notifyAfterCommit('taskStatus', {
      sessionId: write.sessionId,
      taskId: write.taskId,
      status: settled.task.status,
    });
    return settled;
  }
}
