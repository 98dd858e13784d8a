import { AppConfig } from '../platform/config/app-config.js';
import { CitusMissingError, distribute } from './citus-distribution.js';

/** `npm run db:distribute`: distributes the tables by session with Citus (DATABASE_MIGRATE_URL, else DATABASE_URL). */
async function main(): Promise<void> {
  const config = AppConfig.fromEnv(process.env);
  const url = config.database.migrateUrl ?? config.database.url;
  if (!url) throw new Error('set DATABASE_URL (or DATABASE_MIGRATE_URL): the embedded database has no Citus');
  await distribute(url, (line) => process.stdout.write(`${line}\n`));
}

main().catch((error: unknown) => {
  const missing = error instanceof CitusMissingError;
  process.stderr.write(`${missing ? '' : 'distribution failed: '}${(error as Error).message}\n`);
  // 3: nothing was changed because Citus is not there (a plain PostgreSQL deployment), 1: a real failure
  process.exit(missing ? 3 : 1);
});
