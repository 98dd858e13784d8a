/**
 * A failure the caller can act on. `code` is stable (clients may switch on it), `status` is the HTTP status
 * the single exception filter maps it to, and `message` is for humans.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details?: string[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const Errors = {
  badRequest: (code: string, message: string, details?: string[]) => new DomainError(code, message, 400, details),
  unauthorized: (message = 'a valid bearer token is required', invalidToken = false) =>
    new DomainError('auth/unauthorized', message, 401, undefined, {
      'WWW-Authenticate': invalidToken
        ? 'Bearer realm="agent-sessions", error="invalid_token"'
        : 'Bearer realm="agent-sessions"',
    }),
  forbidden: (message = 'this token may not perform writes') => new DomainError('auth/forbidden', message, 403),
  sessionNotFound: () => new DomainError('session/not_found', 'session not found', 404),
  taskNotFound: () => new DomainError('task/not_found', 'task not found', 404),
  sessionClosed: (status: string) =>
    new DomainError('session/not_writable', `session is ${status} and accepts no new events`, 409),
  parentNotWritable: (status: string) =>
    new DomainError(
      'session/parent_not_writable',
      `parent session is ${status} and accepts no new child sessions`,
      409,
    ),
  eventIdConflict: () =>
    new DomainError('event/id_conflict', 'an event with this id already exists with a different body', 409),
  turnConflict: () =>
    new DomainError('turn/conflict', 'a turn with this turnId was already recorded with a different body', 409),
  sessionBusy: () =>
    new DomainError('session/busy', 'a task of this session is still queued or running; record the turn after it', 409),
  historyEmpty: () => new DomainError('history/empty', 'the effective history has no item to remove', 409),
  sessionKeyConflict: (agentId: string) =>
    new DomainError('session/key_conflict', `a session with this key exists for agent "${agentId}"`, 409),
  appStateForbidden: () =>
    new DomainError('state/app_scope_forbidden', 'this token may not write app: state keys', 403),
  invalidText: (message: string) => new DomainError('request/invalid_text', message, 400),
  unknownAgent: (agentId: string) => new DomainError('agent/unknown', `unknown agent "${agentId}"`, 400),
  invalidCursor: () => new DomainError('pagination/invalid_cursor', 'cursor is malformed or expired', 400),
  taskNotCancelable: (status: string) =>
    new DomainError('task/not_cancelable', `task is ${status} and can no longer be canceled`, 409),
  taskNotAwaitingInput: (status: string) =>
    new DomainError(
      'task/not_awaiting_input',
      `task is ${status}; only a task in input_required accepts a follow-up message`,
      409,
    ),
  agentNotFound: () => new DomainError('agent/not_found', 'agent not found', 404),
  leaseLost: () =>
    new DomainError(
      'task/lease_lost',
      "this lease is no longer the task's: it ran out and the task was claimed again, or the task was canceled or settled",
      409,
    ),
  tooManyStreams: (max: number) =>
    new DomainError(
      'stream/too_many_open',
      `this token already has ${max} streams or exports open; close one and retry`,
      429,
      undefined,
      {
        'Retry-After': '5',
      },
    ),
  databaseUnavailable: () =>
    new DomainError('database/unavailable', 'the database is unavailable; retry shortly', 503, undefined, {
      'Retry-After': '2',
    }),
} as const;
