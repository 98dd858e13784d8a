import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module.js';
import { AuditModule } from '../oversight/audit/audit.module.js';
import { RetentionModule } from '../oversight/retention/retention.module.js';
import { AppConfigModule } from '../platform/config/config.module.js';
import { DatabaseModule } from '../platform/database/database.module.js';
import { MetricsModule } from '../platform/metrics/metrics.module.js';
import { NotificationsModule } from '../platform/notifications/notifications.module.js';

/** What the command-line tools need: configuration, the (migrated) database, tokens, audit and retention. */
@Module({
  imports: [
    AppConfigModule,
    DatabaseModule,
    MetricsModule,
    NotificationsModule,
    IdentityModule,
    AuditModule,
    RetentionModule,
  ],
})
export class CliModule {}
