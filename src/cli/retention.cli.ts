import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import { userInfo } from 'node:os';
import { RetentionService } from '../retention/retention.service.js';
import { CliModule } from './cli.module.js';

const USAGE = 'usage: npm run retention:purge -- --days <N> [--dry-run] [--by <name>]';

/** Admin command: purges sessions inactive for more than N days and records what it purged in purge_log. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { days: { type: 'string' }, 'dry-run': { type: 'boolean' }, by: { type: 'string' } },
  });
  const days = Number(values.days);
  if (!values.days || !Number.isInteger(days) || days < 1) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error', 'warn'] });
  let code = 0;
  try {
    const by = values.by ?? `cli:${userInfo().username}`;
    const result = await app.get(RetentionService).purge(days, by, values['dry-run'] === true);
    for (const p of result.purged) process.stdout.write(`${result.dryRun ? 'would purge' : 'purged'} ${p.sessionId} (user ${p.userId}, ${p.eventCount} events)\n`);
    process.stdout.write(`${result.dryRun ? 'would purge' : 'purged'} ${result.sessions} session(s) and ${result.events} event(s) inactive since before ${result.cutoff.toISOString()}\n`);
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    code = 1;
  } finally {
    await app.close();
  }
  process.exit(code);
}

void main();
