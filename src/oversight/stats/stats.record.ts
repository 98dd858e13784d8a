/** Rows counted by status; `estimated` when they come from the planner's statistics rather than a count. */
export interface StatusCounts {
  counts: Record<string, number>;
  estimated: boolean;
}

export interface DailyActivity {
  /** UTC day, YYYY-MM-DD */
  day: string;
  events: number;
  /** user messages: each one is a turn */
  turns: number;
}

export interface OldestQueuedTask {
  id: string;
  createdAt: Date;
  ageSeconds: number;
}

export interface ServiceStats {
  generatedAt: Date;
  days: number;
  sessionsByStatus: StatusCounts;
  /** open statuses (submitted, working, input_required) are always exact */
  tasksByStatus: StatusCounts & { exactStatuses: string[] };
  daily: DailyActivity[];
  oldestQueuedTask: OldestQueuedTask | null;
}
