import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { EmbeddedDatabase } from '../platform/database/embedded-database.js';

const USAGE = 'usage: node dist/cli/embedded-postgres.cli.js --dir <folder> --port <port> [--database <name>]';

/**
 * The embedded PostgreSQL the service starts without DATABASE_URL, as a process another program drives: the
 * tests use it because Jest cannot load the ESM-only embedded-postgres package. One command per stdin line:
 * `start` (replies `ready <url>`), `stop` (replies `stopped`), `exit`; a failure replies `error <message>`.
 * When stdin closes (the driving process died), the server is stopped and the process exits.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { dir: { type: 'string' }, port: { type: 'string' }, database: { type: 'string' } },
  });
  const port = Number(values.port);
  if (!values.dir || !Number.isInteger(port) || port <= 0) throw new Error(USAGE);
  const db = new EmbeddedDatabase({ dir: values.dir, port, database: values.database ?? 'postgres' });
  const reply = (line: string): void => void process.stdout.write(`${line}\n`);
  const exit = async () => {
    await db.stop().catch(() => undefined);
    process.exit(0);
  };
  const commands: Record<string, () => Promise<void>> = {
    start: async () => reply(`ready ${await db.start()}`),
    stop: async () => {
      await db.stop();
      reply('stopped');
    },
    exit,
  };
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const command = commands[line.trim()] ?? (async () => reply(`error unknown command: ${line.trim()}`));
    command().catch((error: unknown) => reply(`error ${(error as Error).message}`));
  });
  lines.on('close', () => void exit());
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
