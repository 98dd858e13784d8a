export const TASK_STATUSES = ['submitted', 'working', 'input_required', 'completed', 'failed', 'canceled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
/** Statuses after which the caller has the agent's answer (or its question) and waits no more. */
export const SETTLED_TASK_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'canceled', 'input_required'];

export interface TaskRecord {
  id: string;
  sessionId: string;
  agentId: string;
  triggerEventId: string;
  triggerSeq: number;
  turn: number;
  responseEventId: string | null;
  status: TaskStatus;
  attempts: number;
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export function isSettled(task: TaskRecord): boolean {
  return SETTLED_TASK_STATUSES.includes(task.status);
}

/** Filters of an A2A task listing: one agent's tasks, newest status change first. */
export interface AgentTaskFilter {
  agentId: string;
  /** only this user's sessions (undefined: any owner) */
  ownerId?: string;
  sessionId?: string;
  status?: TaskStatus;
  updatedAfter?: Date;
}

export interface AgentTaskCursor {
  updatedAt: Date;
  id: string;
}
