import { Global, Module } from '@nestjs/common';
import { EventsRepository } from '../events/events.repository.js';
import { SessionsRepository } from '../sessions/sessions.repository.js';
import { TasksRepository } from '../tasks/tasks.repository.js';

/**
 * Repositories are shared by several features (closing a session cancels its tasks, appending an event
 * creates a task), so they are provided once, globally, the way immich's server does, instead of feature
 * modules importing each other in a cycle.
 */
@Global()
@Module({
  providers: [SessionsRepository, EventsRepository, TasksRepository],
  exports: [SessionsRepository, EventsRepository, TasksRepository],
})
export class RepositoriesModule {}
