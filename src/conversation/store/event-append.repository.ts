import { Inject, Injectable, Optional } from '@nestjs/common';
import { DatabaseError } from 'pg';
import { Prisma } from '../../generated/prisma/client.js';
import { groupCommit } from '../../platform/async/group-commit.js';
import { AppConfig } from '../../platform/config/app-config.js';
import { DirectSql } from '../../platform/database/direct-sql.js';
import { isDatabaseUnavailable } from '../../platform/errors/prisma-error.mapper.js';
import { PrismaService, type PrismaTx } from '../../platform/database/prisma.service.js';
import { NotificationsService } from '../../platform/notifications/notifications.service.js';
import type { PostCommitNotifier } from '../../platform/notifications/post-commit.js';
import { REFUSING_USER_MESSAGES, REOPENED_BY_USER_MESSAGE } from '../status.machine.js';
import { toTaskRecord, type TaskRow } from '../records/task.row.js';
import type { TaskRecord } from '../records/task.record.js';
import type { EventRecord, NewEvent } from '../records/event.record.js';
import { EVENT_COLUMNS, TASK_JSON_FIELDS, toEventRecord, type EventRow } from './events.repository.js';

export interface AppendOptions {
  /** Refuse when the session is closed or expired (user writes); agent replies to accepted turns skip this. */
  requireOpen: boolean;
  /** Only this user's session may be appended to (undefined: any owner). */
  ownerId?: string;
  /** Create this task, triggered by the event, in the same statement. */
  newTaskId?: string;
}

export interface AppendResult {
  event: EventRecord;
  /** the task created with the event (when newTaskId was given) */
  task?: TaskRecord;
  agentId: string;
  turn: number;
}

/** appendUnlessWaiting found a task of the session waiting for input, and appended nothing */
export interface WaitingTaskFound {
  waitingTaskId: string;
}

type AppendRow = EventRow & { agentId: string; turn: number; task: TaskRow | null };
type BatchRow = AppendRow & { ord: number; failure: string | null };
interface Message {
  event: NewEvent;
  options: AppendOptions;
}

/** batches being stored at once; later messages gather into the next batch meanwhile (see groupCommit) */
const BATCHES_IN_FLIGHT = 4;

/** Every append to a session's history: the append_event and append_events SQL functions. */
@Injectable()
export class EventAppendRepository {
  /**
   * `notifier` gets the notifications of what this repository writes; bound to a transaction, it holds them until
   * commit. `direct` is absent in a transaction (UnitOfWork), where every statement must go through `prisma`.
   */
  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaTx,
    @Inject(NotificationsService) private readonly notifier: PostCommitNotifier,
    @Optional() @Inject(DirectSql) private readonly direct?: DirectSql,
    @Optional() @Inject(AppConfig) config?: AppConfig,
  ) {
    const maxBatch = config?.database.appendBatchMax ?? 1;
    if (direct && maxBatch > 1)
      this.groupMessage = groupCommit((messages) => this.appendMessages(messages), {
        maxBatch,
        maxInFlight: BATCHES_IN_FLIGHT,
      });
  }

  /** group commit of users' plain messages (APPEND_BATCH_MAX > 1, outside transactions) */
  private readonly groupMessage?: (message: Message) => Promise<AppendRow | undefined>;

  /**
   * Appends one event with one call of the append_event SQL function (see its migrations,
   * 20261129130200_append_event_session_keys and 20261129140500_turn_records, for what it does and why), with
   * p_notify = false: the event and its new task are announced after commit through the notifier instead
   * (post-commit.ts says why and what that costs). Returns undefined when no session matched (missing, not the
   * caller's, or not open).
   */
  async append(event: NewEvent, options: AppendOptions): Promise<AppendResult | undefined> {
    const row = await this.callAppend(event, options, false);
    return row && this.appended(row);
  }

  /**
   * A user's message: like append, unless the session has a task waiting for input; then nothing is appended and
   * that task is returned, for the message to continue it (the lookup happens inside append_event, under the
   * session's lock: 20261130090000_append_event_yields_to_waiting_task).
   */
  async appendUnlessWaiting(
    event: NewEvent,
    options: AppendOptions,
  ): Promise<AppendResult | WaitingTaskFound | undefined> {
    const plain = !event.taskId && !event.parentId && !event.usage && event.type === 'message' && event.role === 'user';
    const row =
      this.groupMessage && plain && options.requireOpen && options.newTaskId
        ? await this.groupMessage({ event, options })
        : await this.callAppend(event, options, true);
    if (!row) return undefined;
    return row.id === null && row.task ? { waitingTaskId: row.task.id } : this.appended(row);
  }

  private async callAppend(event: NewEvent, options: AppendOptions, yieldToWaiting: boolean) {
    const usage = event.usage;
    const statement = Prisma.sql`
      SELECT ${EVENT_COLUMNS}, r.agent_id AS "agentId", r.turn,
             CASE WHEN t.id IS NULL THEN NULL ELSE json_build_object(${TASK_JSON_FIELDS}) END AS task
      FROM append_event(${event.sessionId}::uuid, ${event.id}::uuid, ${event.type}::text, ${event.role}::text,
             ${JSON.stringify(event.parts)}::jsonb, ${JSON.stringify(event.metadata ?? {})}::jsonb, ${event.taskId ?? null}::uuid,
             ${options.newTaskId ?? null}::uuid, ${usage?.model ?? null}::text, ${usage?.promptTokens ?? null}::int,
             ${usage?.completionTokens ?? null}::int, ${usage?.costUsd ?? null}::numeric, ${options.ownerId ?? null}::text,
             ${options.requireOpen}::boolean, ${REFUSING_USER_MESSAGES}::text[], ${REOPENED_BY_USER_MESSAGE}::text[], false,
             ${event.parentId ?? null}::uuid, ${yieldToWaiting}::boolean) r,
           LATERAL (SELECT (r.event).*) e, LATERAL (SELECT (r.task).*) t`;
    // Outside a transaction the statement skips the Prisma client (see DirectSql): this is the hottest write.
    const rows = this.direct
      ? await this.direct.queryDirect<AppendRow>(statement)
      : await this.prisma.$queryRaw<AppendRow[]>(statement);
    return rows[0];
  }

  /**
   * Stores a batch of users' messages with one call of append_events (its migration,
   * 20261130090100_append_events_batch, says how each stays atomic on its own). Each message gets its row, its
   * own error, or undefined (no session matched). Should the call itself fail for anything but a lost
   * connection, each message is stored alone instead, so no message fails because of another.
   */
  private async appendMessages(messages: readonly Message[]): Promise<(AppendRow | undefined | Error)[]> {
    const alone = () =>
      Promise.all(messages.map((m) => this.callAppend(m.event, m.options, true).catch((error: Error) => error)));
    if (messages.length === 1) return alone();
    const batch = messages.map(({ event, options }) => ({
      sessionId: event.sessionId,
      eventId: event.id,
      parts: event.parts,
      metadata: event.metadata ?? {},
      newTaskId: options.newTaskId,
      ownerId: options.ownerId ?? null,
    }));
    let rows: BatchRow[];
    try {
      rows = await this.direct!.queryDirect<BatchRow>(Prisma.sql`
        SELECT r.ord, r.failure, ${EVENT_COLUMNS}, r.agent_id AS "agentId", r.turn,
               CASE WHEN t.id IS NULL THEN NULL ELSE json_build_object(${TASK_JSON_FIELDS}) END AS task
        FROM append_events(${JSON.stringify(batch)}::jsonb, ${REFUSING_USER_MESSAGES}::text[],
               ${REOPENED_BY_USER_MESSAGE}::text[]) r,
             LATERAL (SELECT (r.event).*) e, LATERAL (SELECT (r.task).*) t`);
    } catch (error) {
      if (isDatabaseUnavailable(error)) throw error;
      return alone();
    }
    const byOrd = new Map(rows.map((row) => [Number(row.ord), row]));
    return messages.map((_, i) => {
      const row = byOrd.get(i + 1);
      return row?.failure ? memberFailure(row.failure) : row;
    });
  }

  private appended(row: AppendRow): AppendResult {
    this.notifier.notifyAfterCommit('sessionEvent', { sessionId: row.sessionId, seq: Number(row.seq) });
    if (row.task) this.notifier.notifyAfterCommit('taskQueued', { taskId: row.task.id });
    return {
      event: toEventRecord(row),
      task: row.task ? toTaskRecord(row.task) : undefined,
      agentId: row.agentId,
      turn: Number(row.turn),
    };
  }
}

/** A batch member's failure, as the `pg` error its statement alone would have thrown (mapped by SQLSTATE). */
function memberFailure(sqlState: string): DatabaseError {
  return Object.assign(new DatabaseError(`storing the message failed (SQLSTATE ${sqlState})`, 0, 'error'), {
    code: sqlState,
  });
}
