import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describeA2a } from './a2a/a2a.openapi.js';

/** The service's version as released: package.json sits one level above both src/ and dist/. */
export function packageVersion(): string {
  const file = path.resolve(__dirname, '..', 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** The OpenAPI document: the controllers' decorators, plus the A2A routes the SDK answers. */
export function buildApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Agent session service')
    .setDescription(
      'Persistent, append-only sessions with conversational agents. Authenticate with `Authorization: Bearer <token>`. ' +
        'Every error is the one JSON error body (ErrorBodyDto) with a stable `code`.',
    )
    .setVersion(packageVersion())
    .addBearerAuth()
    .build();
  return describeA2a(SwaggerModule.createDocument(app, config));
}
