import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '..', '..');
const run = promisify(execFile);

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/** The built service (`dist/main.js`) as a separate process, the way it runs in production. */
export class ServiceProcess {
  private child?: ChildProcess;
  output = '';
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  private exitedPromise?: Promise<void>;
  readonly baseUrl: string;

  constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  static async start(env: Record<string, string>): Promise<ServiceProcess> {
    const service = new ServiceProcess(await freePort(), env);
    await service.spawn();
    return service;
  }

  async spawn(): Promise<void> {
    this.exitCode = null;
    this.child = spawn(process.execPath, ['dist/main.js'], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...this.env, PORT: String(this.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    this.exitSignal = null;
    this.exitedPromise = new Promise((resolveExit) =>
      this.child!.once('exit', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        resolveExit();
      }),
    );
    // generous: a busy CI machine boots the built service (with tracing, its instrumented requires) slowly
    await this.waitHealthy(40_000);
  }

  async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.hasExited) throw new Error(`service exited with ${this.exitCode ?? this.exitSignal}:\n${this.output}`);
      const ok = await fetch(`${this.baseUrl}/health`, { signal: AbortSignal.timeout(1000) })
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`service not healthy within ${timeoutMs} ms:\n${this.output}`);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Resident memory of the service process in bytes, from /proc (Linux). */
  async rssBytes(): Promise<number> {
    const status = await readFile(`/proc/${this.pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status);
    if (!kb) throw new Error('no VmRSS in /proc status');
    return Number(kb[1]) * 1024;
  }

  kill(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  get hasExited(): boolean {
    return this.exitCode !== null || this.exitSignal !== null;
  }

  /** Resolves with how the process ended: its exit code, or the signal that ended it. */
  async exited(timeoutMs = 20_000): Promise<number | NodeJS.Signals | null> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.exitedPromise,
      new Promise(
        (_, reject) => (timer = setTimeout(() => reject(new Error('service did not exit in time')), timeoutMs)),
      ),
    ]).finally(() => clearTimeout(timer));
    return this.exitCode ?? this.exitSignal;
  }

  async stop(): Promise<void> {
    if (this.hasExited || !this.child) return;
    this.kill('SIGTERM');
    await this.exited().catch(() => this.kill('SIGKILL'));
  }
}

/** Issues a token with the built CLI against a database. */
export async function cliToken(databaseUrl: string, user: string, role = 'user'): Promise<string> {
  const { stdout } = await run(process.execPath, ['dist/cli/token.cli.js', 'create', '--user', user, '--role', role], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' },
  });
  return stdout.trim();
}
