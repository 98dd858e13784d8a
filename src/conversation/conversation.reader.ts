import { Injectable } from '@nestjs/common';
import type { EventRecord } from './records/event.record.js';
import type { SessionRecord } from './records/session.record.js';
import type { AgentTaskCursor, AgentTaskFilter, TaskRecord, TaskStatus } from './records/task.record.js';
import { EventsRepository } from './store/events.repository.js';
import { SessionsRepository } from './store/sessions.repository.js';
import { TasksRepository } from './store/tasks.repository.js';

/**
 * The read side of the conversation for other modules (runtime, live, oversight, a2a). It applies no
 * authorization: callers pass `ownerId` when a caller's scope applies, or have checked access already.
 */
@Injectable()
export class ConversationReader {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly events: EventsRepository,
    private readonly tasks: TasksRepository,
  ) {}

  session(id: string, ownerId?: string): Promise<SessionRecord | undefined> {
    return this.sessions.findById(id, ownerId);
  }

  /** An event of this session (event ids are unique within a session only). */
  event(sessionId: string, id: string): Promise<EventRecord | undefined> {
    return this.events.findById(sessionId, id);
  }

  /** One page of a session's history in seq order, after `after`. */
  eventsAfter(sessionId: string, after: number, limit: number): Promise<EventRecord[]> {
    return this.events.listAfter(sessionId, after, limit);
  }

  /** The last `limit` events up to and including `uptoSeq`, oldest first. */
  recentEvents(sessionId: string, uptoSeq: number, limit: number): Promise<EventRecord[]> {
    return this.events.recent(sessionId, uptoSeq, limit);
  }

  eventsOfTasks(taskIds: string[]): Promise<EventRecord[]> {
    return this.events.listByTasks(taskIds);
  }

  task(id: string, ownerId?: string): Promise<TaskRecord | undefined> {
    return this.tasks.findById(id, ownerId);
  }

  taskStatuses(ids: string[]): Promise<Map<string, TaskStatus>> {
    return this.tasks.statuses(ids);
  }

  agentTasks(filter: AgentTaskFilter, before: AgentTaskCursor | undefined, limit: number): Promise<TaskRecord[]> {
    return this.tasks.listForAgent(filter, before, limit);
  }

  countAgentTasks(filter: AgentTaskFilter): Promise<number> {
    return this.tasks.countForAgent(filter);
  }
}
