import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AppModule } from './app.module.js';
import { buildApiDocument } from './app.openapi.js';

/**
 * Writes the service's OpenAPI document without a database: `preview` builds the module graph without
 * instantiating providers, which is all the Swagger scanner reads (controllers' decorators and DTO metadata).
 * Usage: node dist/openapi-export.js [out-file] (default packages/client/openapi.json)
 */
async function main(): Promise<void> {
  const out = resolve(process.argv[2] ?? resolve(__dirname, '..', 'packages', 'client', 'openapi.json'));
  const app = await NestFactory.create(AppModule, { preview: true, logger: false, abortOnError: false });
  const document = buildApiDocument(app);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);
  await app.close();
  process.stdout.write(`${out}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`openapi export failed: ${(error as Error).message}\n`);
  process.exit(1);
});
