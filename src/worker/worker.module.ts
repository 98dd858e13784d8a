import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { StreamingModule } from '../streaming/streaming.module.js';
import { ExpirySweeper } from './expiry-sweeper.service.js';
import { TaskExecutor } from './task-executor.service.js';
import { WorkerService } from './worker.service.js';

@Module({
  imports: [AgentsModule, SessionsModule, StreamingModule],
  providers: [TaskExecutor, WorkerService, ExpirySweeper],
  exports: [WorkerService, ExpirySweeper],
})
export class WorkerModule {}
