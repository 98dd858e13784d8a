import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { A2aModule } from './a2a/a2a.module.js';
import { AgentsModule } from './agents/agents.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './common/auth/auth.module.js';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter.js';
import { ShutdownGate } from './common/http/shutdown-gate.js';
import { LoggingModule } from './common/logging/logging.module.js';
import { AppConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { RepositoriesModule } from './database/repositories.module.js';
import { EventsModule } from './events/events.module.js';
import { HealthModule } from './health/health.module.js';
import { ReviewModule } from './review/review.module.js';
import { SessionsModule } from './sessions/sessions.module.js';
import { StreamingModule } from './streaming/streaming.module.js';
import { TasksModule } from './tasks/tasks.module.js';
import { TranscriptsModule } from './transcripts/transcripts.module.js';
import { WorkerModule } from './worker/worker.module.js';

@Module({
  imports: [
    AppConfigModule,
    LoggingModule,
    DatabaseModule,
    RepositoriesModule,
    AuthModule,
    AgentsModule,
    SessionsModule,
    EventsModule,
    TasksModule,
    StreamingModule,
    AuditModule,
    ReviewModule,
    TranscriptsModule,
    WorkerModule,
    HealthModule,
    A2aModule,
  ],
  providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }, ShutdownGate],
})
export class AppModule {}
