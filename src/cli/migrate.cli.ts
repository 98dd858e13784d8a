import { AppConfig } from '../platform/config/app-config.js';
import { MIGRATIONS_DIR } from '../platform/database/database-connection.js';
import { EmbeddedDatabase } from '../platform/database/embedded-database.js';
import { runMigrations } from '../platform/database/migration-runner.js';

/** `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded database. */
async function main(): Promise<void> {
  const config = AppConfig.fromEnv(process.env);
  const embedded = config.database.url
    ? undefined
    : new EmbeddedDatabase({ ...config.database.embedded, database: 'agent_sessions' });
  const url = config.database.url ?? (await embedded!.start());
  try {
    const result = await runMigrations(url, MIGRATIONS_DIR, (message) => process.stdout.write(`${message}\n`));
    process.stdout.write(`${result.applied.length} applied, ${result.alreadyApplied.length} already applied\n`);
  } finally {
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`migration failed: ${(error as Error).message}\n`);
  process.exit(1);
});
