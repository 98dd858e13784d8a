import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { DatabaseConnection } from '../database/database-connection.js';
import { PrismaService } from '../database/prisma.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { NotificationsService } from './notifications.service.js';

@Global()
@Module({
  providers: [
    {
      provide: NotificationsService,
      inject: [DatabaseConnection, PrismaService, MetricsService, AppConfig],
      useFactory: async (
        connection: DatabaseConnection,
        prisma: PrismaService,
        metrics: MetricsService,
        config: AppConfig,
      ) => {
        const notifications = new NotificationsService(
          connection,
          prisma,
          metrics,
          config.database.listenerCheckMs,
          config.database.notifyCoalesceMs,
        );
        await notifications.start();
        return notifications;
      },
    },
  ],
  exports: [NotificationsService],
})
export class NotificationsModule {}
