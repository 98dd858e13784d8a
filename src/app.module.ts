import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { A2aModule } from './a2a/a2a.module.js';
import { ConversationModule } from './conversation/conversation.module.js';
import { DeliveryModule } from './delivery/delivery.module.js';
import { OperationsModule } from './operations/operations.module.js';
import { IdentityModule } from './identity/identity.module.js';
import { LiveModule } from './live/live.module.js';
import { AnnotationsModule } from './oversight/annotations/annotations.module.js';
import { AuditModule } from './oversight/audit/audit.module.js';
import { ReviewModule } from './oversight/review/review.module.js';
import { StatsModule } from './oversight/stats/stats.module.js';
import { TranscriptsModule } from './oversight/transcripts/transcripts.module.js';
import { AppConfigModule } from './platform/config/config.module.js';
import { DatabaseModule } from './platform/database/database.module.js';
import { AllExceptionsFilter } from './platform/errors/all-exceptions.filter.js';
import { ErrorsModule } from './platform/errors/errors.module.js';
import { ShutdownGate } from './platform/http/shutdown-gate.js';
import { StreamsModule } from './platform/http/streams.module.js';
import { LoggingModule } from './platform/logging/logging.module.js';
import { MemoryModule } from './platform/memory/memory.module.js';
import { MetricsModule } from './platform/metrics/metrics.module.js';
import { NotificationsModule } from './platform/notifications/notifications.module.js';
import { TelemetryModule } from './platform/telemetry/telemetry.module.js';
import { RuntimeModule } from './runtime/runtime.module.js';

/** Module map and dependency direction: docs/architecture.md. */
@Module({
  imports: [
    AppConfigModule,
    ErrorsModule,
    LoggingModule,
    DatabaseModule,
    MetricsModule,
    MemoryModule,
    TelemetryModule,
    NotificationsModule,
    StreamsModule,
    IdentityModule,
    ConversationModule,
    RuntimeModule,
    LiveModule,
    AuditModule,
    ReviewModule,
    AnnotationsModule,
    TranscriptsModule,
    StatsModule,
    DeliveryModule,
    OperationsModule,
    A2aModule,
  ],
  providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }, ShutdownGate],
})
export class AppModule {}
