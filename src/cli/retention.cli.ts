import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { RetentionService } from '../oversight/retention/retention.service.js';
import { print, runCli } from './run-cli.js';

const USAGE = 'usage: npm run retention:purge -- --days <N> [--dry-run] [--by <name>]';

/** Admin command: purges sessions inactive for more than N days and records what it purged in purge_log. */
const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { days: { type: 'string' }, 'dry-run': { type: 'boolean' }, by: { type: 'string' } },
});
const days = Number(values.days);
if (!values.days || !Number.isInteger(days) || days < 1) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

void runCli(async (app) => {
  const by = values.by ?? `cli:${userInfo().username}`;
  const result = await app.get(RetentionService).purge(days, by, values['dry-run'] === true);
  const verb = result.dryRun ? 'would purge' : 'purged';
  for (const p of result.purged) print(`${verb} ${p.sessionId} (user ${p.userId}, ${p.eventCount} events)`);
  print(
    `${verb} ${result.sessions} session(s) and ${result.events} event(s) inactive since before ${result.cutoff.toISOString()}`,
  );
  return 0;
});
