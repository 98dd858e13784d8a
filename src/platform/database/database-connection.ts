import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { resolve } from 'node:path';
import { AppConfig } from '../config/app-config.js';
import { EmbeddedDatabase } from './embedded-database.js';
import { runMigrations } from './migration-runner.js';

/** src/platform/database (tests) or dist/platform/database (built): three levels below the project root. */
export const MIGRATIONS_DIR = resolve(__dirname, '..', '..', '..', 'prisma', 'migrations');
export const EMBEDDED_DATABASE_NAME = 'agent_sessions';

/**
 * Where the database is: DATABASE_URL when set, otherwise an embedded PostgreSQL under `.data/`.
 * Applies pending migrations before anything else talks to the database.
 */
@Injectable()
export class DatabaseConnection implements OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseConnection.name);
  private embedded?: EmbeddedDatabase;
  /** the pool's URL (may go through a pooler) */
  url = '';
  /** a direct session for LISTEN */
  listenUrl = '';
  /** the read pool's URL (a replica, or the same as `url`) */
  readUrl = '';

  constructor(private readonly config: AppConfig) {}

  async open(): Promise<void> {
    const configured = this.config.database.url;
    if (configured) {
      this.url = configured;
      this.logger.log(`database: ${redact(configured)}`);
    } else {
      this.logger.log(`DATABASE_URL is not set: starting embedded PostgreSQL in ${this.config.database.embedded.dir}`);
      this.embedded = new EmbeddedDatabase({
        ...this.config.database.embedded,
        database: EMBEDDED_DATABASE_NAME,
        log: (message) => this.logger.debug(message),
      });
      this.url = await this.embedded.start();
      // The embedded server's password is a fixed local default; printing it lets an analyst connect at once.
      this.logger.log(`embedded PostgreSQL is at ${this.url} (psql "${this.url}")`);
    }
    this.listenUrl = this.config.database.listenUrl ?? this.url;
    this.readUrl = this.config.database.readUrl ?? this.url;
    if (this.readUrl !== this.url) this.logger.log(`read replica: ${redact(this.readUrl)}`);
    if (this.config.database.migrateOnStart) {
      const migrateUrl = this.config.database.migrateUrl ?? this.url;
      const result = await runMigrations(migrateUrl, MIGRATIONS_DIR, (message) => this.logger.log(message));
      this.logger.log(`database schema is current (${result.applied.length} migration(s) applied now)`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.embedded?.stop();
  }
}

/** A connection URL without its password, for logs. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'an unparseable URL';
  }
}
