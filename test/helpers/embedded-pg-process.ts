import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from './service-process.js';

/**
 * Drives the production embedded PostgreSQL through its CLI (src/cli/embedded-postgres.cli.ts, built by the
 * global setup): a PostgreSQL server this test alone may stop and start.
 */
export class EmbeddedPgProcess {
  private readonly waiting: ((line: string) => void)[] = [];

  private constructor(
    private readonly child: ChildProcess,
    private readonly folder: string,
  ) {
    createInterface({ input: child.stdout! }).on('line', (line) => this.waiting.shift()?.(line));
  }

  static async create(): Promise<EmbeddedPgProcess> {
    const root = resolve(__dirname, '..', '..');
    mkdirSync(resolve(root, '.data'), { recursive: true });
    const folder = mkdtempSync(resolve(root, '.data', 'fault-pg-'));
    const dir = resolve(folder, 'pg');
    const cli = resolve(root, 'dist', 'cli', 'embedded-postgres.cli.js');
    const child = spawn(
      process.execPath,
      [cli, '--dir', dir, '--port', String(await freePort()), '--database', 'faults'],
      {
        cwd: root,
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    return new EmbeddedPgProcess(child, folder);
  }

  async start(): Promise<string> {
    const reply = await this.send('start');
    if (!reply.startsWith('ready ')) throw new Error(reply);
    return reply.slice('ready '.length);
  }

  async stop(): Promise<void> {
    const reply = await this.send('stop');
    if (reply !== 'stopped') throw new Error(reply);
  }

  async exit(): Promise<void> {
    this.child.stdin?.write('exit\n');
    await new Promise((r) => this.child.once('exit', r));
    rmSync(this.folder, { recursive: true, force: true });
  }

  private send(command: string): Promise<string> {
    return new Promise((resolveReply) => {
      this.waiting.push(resolveReply);
      this.child.stdin?.write(`${command}\n`);
    });
  }
}
