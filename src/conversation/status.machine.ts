import type { SessionStatus } from './records/session.record.js';
import type { TaskStatus } from './records/task.record.js';

/**
 * The one place that decides session and task status. Services ask it before they write; the SQL that moves
 * statuses in bulk (the append, the claim, cancel-all) takes its status lists from here as parameters.
 */

/** What happens to a session. */
export type SessionChange = 'user_message' | 'agent_asked' | 'agent_answered' | 'agent_ended' | 'close' | 'expire';

const SESSION_MOVES: Record<SessionStatus, Partial<Record<SessionChange, SessionStatus>>> = {
  active: {
    user_message: 'active',
    agent_asked: 'input_required',
    agent_answered: 'active',
    agent_ended: 'completed',
    close: 'closed',
    expire: 'expired',
  },
  input_required: {
    user_message: 'active',
    agent_asked: 'input_required',
    agent_answered: 'input_required',
    agent_ended: 'completed',
    close: 'closed',
    expire: 'expired',
  },
  // A finished conversation takes a new message (it becomes active again) and can still be closed or expire.
  completed: {
    user_message: 'active',
    agent_asked: 'input_required',
    agent_answered: 'completed',
    agent_ended: 'completed',
    close: 'closed',
    expire: 'expired',
  },
  closed: {},
  // a client may still end a session whose TTL ran out
  expired: { close: 'closed' },
};

const TASK_MOVES: Record<TaskStatus, readonly TaskStatus[]> = {
  submitted: ['working', 'canceled'],
  // back to submitted: released at shutdown; input_required: the agent asked a question
  working: ['completed', 'failed', 'input_required', 'canceled', 'submitted'],
  // submitted: the user's answer queues the same task again
  input_required: ['submitted', 'canceled'],
  completed: [],
  failed: [],
  canceled: [],
};

/** The session's status after `change`; undefined when the change is not allowed in `current`. */
export function nextSessionStatus(current: SessionStatus, change: SessionChange): SessionStatus | undefined {
  return SESSION_MOVES[current][change];
}

/** What `change` does to a session in each status that allows it, as `{ from: to }` (for SQL that moves it). */
export function sessionMoves(change: SessionChange): Partial<Record<SessionStatus, SessionStatus>> {
  const moves: Partial<Record<SessionStatus, SessionStatus>> = {};
  for (const from of Object.keys(SESSION_MOVES) as SessionStatus[]) {
    const to = SESSION_MOVES[from][change];
    if (to) moves[from] = to;
  }
  return moves;
}

/** Statuses a session leaves when a user message arrives (it becomes active). */
export const REOPENED_BY_USER_MESSAGE: readonly SessionStatus[] = statusesWhere(
  (from) => from !== 'active' && SESSION_MOVES[from].user_message === 'active',
);

/** Statuses in which a session takes no user message (closed for writing). */
export const REFUSING_USER_MESSAGES: readonly SessionStatus[] = statusesWhere(
  (from) => !SESSION_MOVES[from].user_message,
);

/** Statuses in which a session may expire (the sweeper's filter). */
export const EXPIRABLE_SESSION_STATUSES: readonly SessionStatus[] = statusesWhere(
  (from) => !!SESSION_MOVES[from].expire,
);

export function canMoveTask(from: TaskStatus, to: TaskStatus): boolean {
  return TASK_MOVES[from].includes(to);
}

/** Statuses from which a task may move to `to` (e.g. every cancelable status). */
export function taskStatusesMovingTo(to: TaskStatus): TaskStatus[] {
  return (Object.keys(TASK_MOVES) as TaskStatus[]).filter((from) => canMoveTask(from, to));
}

/** Final: the task will never change again. */
export function isFinalTaskStatus(status: TaskStatus): boolean {
  return TASK_MOVES[status].length === 0;
}

function statusesWhere(test: (from: SessionStatus) => boolean): SessionStatus[] {
  return (Object.keys(SESSION_MOVES) as SessionStatus[]).filter(test);
}
