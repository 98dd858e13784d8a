import { Global, Module } from '@nestjs/common';
import { DatabaseConnection } from '../database/database-connection.js';
import { PrismaService } from '../database/prisma.service.js';
import { NotificationsService } from './notifications.service.js';

@Global()
@Module({
  providers: [
    {
      provide: NotificationsService,
      inject: [DatabaseConnection, PrismaService],
      useFactory: async (connection: DatabaseConnection, prisma: PrismaService) => {
        const notifications = new NotificationsService(connection, prisma);
        await notifications.start();
        return notifications;
      },
    },
  ],
  exports: [NotificationsService],
})
export class NotificationsModule {}
