import { Injectable } from '@nestjs/common';
import { assertAdmin, type AuthContext } from '../../identity/auth/auth-context.js';
import { SESSION_STATUSES } from '../../conversation/records/session.record.js';
import { TASK_STATUSES } from '../../conversation/records/task.record.js';
import type { ServiceStats } from './stats.record.js';
import { OPEN_TASK_STATUSES, StatsRepository } from './stats.repository.js';

export const DEFAULT_STATS_DAYS = 14;

/** Every known status appears, with 0 when there is none. */
function withEveryStatus(statuses: readonly string[], counts: Record<string, number>): Record<string, number> {
  return { ...Object.fromEntries(statuses.map((status) => [status, 0])), ...counts };
}

/** What a support lead asks first: how much is there, what is stuck, how busy were the last days. Admins only. */
@Injectable()
export class StatsService {
  constructor(private readonly stats: StatsRepository) {}

  async overview(auth: AuthContext, days = DEFAULT_STATS_DAYS): Promise<ServiceStats> {
    assertAdmin(auth);
    const [sessions, tasks, open, daily, oldestQueuedTask] = await Promise.all([
      this.stats.statusCounts('sessions'),
      this.stats.statusCounts('tasks'),
      this.stats.openTaskCounts(),
      this.stats.daily(days),
      this.stats.oldestQueuedTask(),
    ]);
    return {
      generatedAt: new Date(),
      days,
      sessionsByStatus: { ...sessions, counts: withEveryStatus(SESSION_STATUSES, sessions.counts) },
      tasksByStatus: {
        counts: withEveryStatus(TASK_STATUSES, { ...tasks.counts, ...open }),
        estimated: tasks.estimated,
        exactStatuses: tasks.estimated ? OPEN_TASK_STATUSES : [...TASK_STATUSES],
      },
      daily,
      oldestQueuedTask,
    };
  }
}
