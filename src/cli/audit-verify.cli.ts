import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AuditService } from '../audit/audit.service.js';
import { CliModule } from './cli.module.js';

/** `npm run audit:verify`: recomputes every session's hash chain; exits 1 if any is broken. */
async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error', 'warn'] });
  let code = 0;
  try {
    const summary = await app.get(AuditService).verifyAll((report) => {
      if (!report.valid) process.stdout.write(`BROKEN ${report.sessionId} at seq ${report.firstBrokenSeq}: ${report.reason}\n`);
    });
    process.stdout.write(`${summary.sessions} session(s) verified, ${summary.broken} broken\n`);
    code = summary.broken > 0 ? 1 : 0;
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    code = 2;
  } finally {
    await app.close();
  }
  process.exit(code);
}

void main();
