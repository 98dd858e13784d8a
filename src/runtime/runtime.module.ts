import { Module } from '@nestjs/common';
import { ConversationModule } from '../conversation/conversation.module.js';
import { AgentsService } from './agents/agents.service.js';
import { DeltaPublisher } from './delta-publisher.service.js';
import { ExpirySweeper } from './expiry-sweeper.service.js';
import { QueueMetrics } from './queue-metrics.js';
import { QueueRepository } from './queue.repository.js';
import { TaskRunner } from './task-runner.service.js';
import { WorkerService } from './worker.service.js';

/** Where agents run: the task queue, the worker and its runner, the agents, the expiry sweeper. */
@Module({
  imports: [ConversationModule],
  providers: [AgentsService, QueueRepository, QueueMetrics, DeltaPublisher, TaskRunner, WorkerService, ExpirySweeper],
  exports: [AgentsService, WorkerService, ExpirySweeper],
})
export class RuntimeModule {}
