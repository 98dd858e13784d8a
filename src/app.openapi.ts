import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describeA2a } from './a2a/a2a.openapi.js';
import { AGENT_ACCESS_EXTENSION } from './identity/auth/agent-access.decorator.js';

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
  return describeA2a(documentAgentRefusals(SwaggerModule.createDocument(app, config)));
}

const FORBIDDEN_FOR_AGENTS =
  "the token's role may not do this (auth/forbidden); agent tokens may use only the operations marked x-agent-token-access";

/** The bearer guard refuses agent tokens (403) on every operation not open to them: say so where it is not said yet. */
function documentAgentRefusals(doc: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(doc.paths)) {
    for (const op of [item.get, item.post, item.put, item.patch, item.delete]) {
      if (!op?.security?.length || opensToAgents(op) || op.responses['403']) continue;
      const unauthorized = op.responses['401'];
      const content = unauthorized && 'content' in unauthorized ? unauthorized.content : undefined;
      op.responses['403'] = { description: FORBIDDEN_FOR_AGENTS, ...(content ? { content } : {}) };
    }
  }
  return doc;
}

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;

function opensToAgents(op: Operation): boolean {
  return (op as unknown as Record<string, unknown>)[AGENT_ACCESS_EXTENSION] === true;
}
