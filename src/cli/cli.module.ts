import { Module } from '@nestjs/common';
import { AppConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { RepositoriesModule } from '../database/repositories.module.js';
import { RetentionModule } from '../retention/retention.module.js';
import { TokensModule } from '../tokens/tokens.module.js';

/** What the command-line tools need: configuration, the (migrated) database, tokens, audit and retention. */
@Module({ imports: [AppConfigModule, DatabaseModule, RepositoriesModule, TokensModule, AuditModule, RetentionModule] })
export class CliModule {}
