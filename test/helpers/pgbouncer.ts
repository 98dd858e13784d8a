import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './service-process.js';

const BINARIES = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'];

function binary(): string {
  const found = BINARIES.find((path) => existsSync(path));
  if (found) return found;
  throw new Error('pgbouncer is not installed: apt-get install -y pgbouncer (.ci/run does)');
}

/** PgBouncer refuses to run as root: run it as the `postgres` OS user then, with its folder handed over. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}

function config(upstream: URL, port: number, dir: string): string {
  const password = upstream.password ? ` password=${decodeURIComponent(upstream.password)}` : '';
  return [
    '[databases]',
    // Any database name the client asks for, on the upstream server, as the upstream user.
    `* = host=${upstream.hostname} port=${upstream.port || 5432} user=${decodeURIComponent(upstream.username)}${password}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    'unix_socket_dir =',
    'auth_type = trust',
    `auth_file = ${join(dir, 'userlist.txt')}`,
    'pool_mode = transaction',
    'default_pool_size = 8',
    'max_client_conn = 200',
    'server_reset_query =',
    'ignore_startup_parameters = extra_float_digits,options',
    'stats_period = 1',
    `admin_users = ${decodeURIComponent(upstream.username)}`,
    `logfile = ${join(dir, 'pgbouncer.log')}`,
    '',
  ].join('\n');
}

/** Debian's PgBouncer in transaction pooling mode on a free loopback port, in front of the test server. */
export class PgBouncer {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly port: number,
    private readonly upstream: URL,
  ) {}

  static async start(upstreamUrl: string): Promise<PgBouncer> {
    const upstream = new URL(upstreamUrl);
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'pgbouncer-'));
    writeFileSync(join(dir, 'pgbouncer.ini'), config(upstream, port, dir));
    writeFileSync(join(dir, 'userlist.txt'), `"${decodeURIComponent(upstream.username)}" ""\n`);
    const user = runAs();
    if (user) chownSync(dir, user.uid, user.gid);
    const child = spawn(binary(), [join(dir, 'pgbouncer.ini')], { stdio: 'ignore', ...user });
    const bouncer = new PgBouncer(child, dir, port, upstream);
    await bouncer.waitUntilReady();
    return bouncer;
  }

  /** The same URL as `directUrl`, through this PgBouncer. */
  url(directUrl: string): string {
    const parsed = new URL(directUrl);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  private async waitUntilReady(): Promise<void> {
    const probe = new URL(this.url(this.upstream.toString()));
    probe.pathname = '/postgres';
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`pgbouncer exited at start:\n${this.log()}`);
      const client = new Client({ connectionString: probe.toString() });
      try {
        await client.connect();
        await client.query('SELECT 1');
        return;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`pgbouncer did not answer: ${String(error)}\n${this.log()}`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 100));
      } finally {
        await client.end().catch(() => undefined);
      }
    }
  }

  /** Transactions PgBouncer has passed to `database` (from its admin console, which speaks simple queries only). */
  async transactions(database: string): Promise<number> {
    const admin = new URL(this.url(this.upstream.toString()));
    admin.pathname = '/pgbouncer';
    const client = new Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      const { rows } = await client.query<{ database: string; total_xact_count: string }>('SHOW STATS');
      return Number(rows.find((row) => row.database === database)?.total_xact_count ?? 0);
    } finally {
      await client.end();
    }
  }

  log(): string {
    const file = join(this.dir, 'pgbouncer.log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
