import { Injectable } from '@nestjs/common';
import { assertCanWrite, ownerScope, writeScope, type AuthContext } from '../common/auth/auth-context.js';
import { Errors } from '../common/errors/domain-error.js';
import { PrismaService } from '../database/prisma.service.js';
import { SessionsRepository } from '../sessions/sessions.repository.js';
import { FINAL_TASK_STATUSES, type TaskRecord } from './task.record.js';
import { TasksRepository } from './tasks.repository.js';

export interface TaskPage {
  data: TaskRecord[];
  nextAfter: number | null;
}

@Injectable()
export class TasksService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly tasks: TasksRepository,
    private readonly sessions: SessionsRepository,
  ) {}

  async get(auth: AuthContext, id: string): Promise<TaskRecord> {
    const task = await this.tasks.findById(id, ownerScope(auth));
    if (!task) throw Errors.taskNotFound();
    return task;
  }

  async listForSession(auth: AuthContext, sessionId: string, after: number, limit: number): Promise<TaskPage> {
    const session = await this.sessions.findById(sessionId, ownerScope(auth));
    if (!session) throw Errors.sessionNotFound();
    const rows = await this.tasks.listBySession(sessionId, after, limit + 1);
    const page = rows.slice(0, limit);
    return { data: page, nextAfter: rows.length > limit ? page[page.length - 1].triggerSeq : null };
  }

  /** Cancels a task that has not finished; a worker running it notices at its next lease check. */
  async cancel(auth: AuthContext, id: string): Promise<TaskRecord> {
    assertCanWrite(auth);
    return this.prisma.$transaction(async (tx) => {
      const task = await this.tasks.findById(id, writeScope(auth), tx);
      if (!task) throw Errors.taskNotFound();
      const locked = await this.sessions.lock(task.sessionId, undefined, tx);
      const current = (await this.tasks.findById(id, undefined, tx))!;
      if (!locked || FINAL_TASK_STATUSES.includes(current.status)) throw Errors.taskNotCancelable(current.status);
      return this.tasks.finish(id, { status: 'canceled', error: 'canceled by client' }, tx);
    });
  }
}
