import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { DatabaseConnection } from './database-connection.js';
import { DirectSql } from './direct-sql.js';
import { PrismaService } from './prisma.service.js';
import { ReadPrismaService } from './read-prisma.service.js';
import { SchemaStatus } from './schema-status.js';

@Global()
@Module({
  providers: [
    {
      // Resolved (and migrated) before any provider that depends on it is constructed.
      provide: DatabaseConnection,
      inject: [AppConfig],
      useFactory: async (config: AppConfig) => {
        const connection = new DatabaseConnection(config);
        await connection.open();
        return connection;
      },
    },
    PrismaService,
    { provide: DirectSql, useExisting: PrismaService },
    ReadPrismaService,
    SchemaStatus,
  ],
  exports: [DatabaseConnection, DirectSql, PrismaService, ReadPrismaService, SchemaStatus],
})
export class DatabaseModule {}
