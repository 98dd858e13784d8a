import { Module } from '@nestjs/common';
import { AppConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { TokensModule } from '../tokens/tokens.module.js';

/** What the command-line tools need: configuration, the (migrated) database and token management. */
@Module({ imports: [AppConfigModule, DatabaseModule, TokensModule] })
export class CliModule {}
