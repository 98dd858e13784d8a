import { Module } from '@nestjs/common';
import { ConversationModule } from '../conversation/conversation.module.js';
import { AgentsService } from './agents/agents.service.js';
import { DeltaPublisher } from './delta-publisher.service.js';
import { ExpirySweeper } from './expiry-sweeper.service.js';
import { PullController } from './http/pull.controller.js';
import { ClaimWakeups } from './pull/claim-wakeups.service.js';
import { PullTasksService } from './pull/pull-tasks.service.js';
import { QueueMetrics } from './queue-metrics.js';
import { QueueRepository } from './queue.repository.js';
import { TaskRunner } from './task-runner.service.js';
import { WorkerService } from './worker.service.js';

/** Where agents run: the task queue, the worker and its runner, the agents, the expiry sweeper, pull workers. */
@Module({
  imports: [ConversationModule],
  controllers: [PullController],
  providers: [
    AgentsService,
    QueueRepository,
    QueueMetrics,
    DeltaPublisher,
    TaskRunner,
    WorkerService,
    ExpirySweeper,
    ClaimWakeups,
    PullTasksService,
  ],
  exports: [AgentsService, WorkerService, ExpirySweeper],
})
export class RuntimeModule {}
