import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CliModule } from './cli.module.js';

/**
 * Runs a command with the application context (config, migrated database, services) and exits with the
 * code the command returns: 1 when it throws, with the message on stderr.
 */
export async function runCli(command: (app: INestApplicationContext) => Promise<number>): Promise<never> {
  let code = 1;
  let app: INestApplicationContext | undefined;
  try {
    app = await NestFactory.createApplicationContext(CliModule, { logger: ['error', 'warn'], abortOnError: false });
    code = await command(app);
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
  } finally {
    await app?.close();
  }
  process.exit(code);
}

export function print(line: string): void {
  process.stdout.write(`${line}\n`);
}
