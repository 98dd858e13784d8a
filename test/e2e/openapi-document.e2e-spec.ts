import { validate, compileErrors } from '@readme/openapi-parser';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const ERROR_REF = '#/components/schemas/ErrorBodyDto';

function operations(doc: Json): [string, string, Json][] {
  return Object.entries(doc.paths as Json).flatMap(([p, item]) =>
    Object.entries(item as Json)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]): [string, string, Json] => [method, p, op as Json]),
  );
}

/** A fetch response as the contract checks it: the body as JSON when it is JSON, else as text. */
describe('the OpenAPI document', () => {
  let t: TestApp;
  let doc: Json;

  beforeAll(async () => {
    t = await startTestApp();
    doc = (await t.http().get('/docs/openapi.json').expect(200)).body as Json;
  });
  afterAll(() => t.close());

  it('is valid OpenAPI 3.0 for a maintained validator, versioned as the package', async () => {
    const result = await validate(structuredClone(doc) as never);
    if (!result.valid) throw new Error(compileErrors(result));
    expect(result.specification).toBe('OpenAPI');
    expect(doc.openapi).toMatch(/^3\.0\./);
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as Json;
    expect(doc.info.version).toBe(pkg.version);
  });

  it('documents the one error body on every REST operation, with auth, rate limit and unavailability', () => {
    expect(doc.components.schemas.ErrorBodyDto.required).toEqual(
      expect.arrayContaining(['statusCode', 'error', 'message', 'code', 'requestId']),
    );
    const rest = operations(doc).filter(([, p]) => p.startsWith('/v1/'));
    expect(rest.length).toBeGreaterThanOrEqual(19);
    for (const [method, p, op] of rest) {
      const where = `${method.toUpperCase()} ${p}`;
      for (const status of ['400', '401', '429', '503']) {
        expect([where, op.responses[status]?.content?.['application/json']?.schema?.$ref]).toEqual([where, ERROR_REF]);
      }
      if (p.includes('{id}')) expect([where, Boolean(op.responses['404'])]).toEqual([where, true]);
      if (op.requestBody) expect([where, Boolean(op.responses['413'])]).toEqual([where, true]);
      if (method !== 'get') expect([where, Boolean(op.responses['403'])]).toEqual([where, true]);
    }
    expect(doc.paths['/v1/review/sessions'].get.responses['403']).toBeDefined();
    expect(doc.paths['/v1/admin/access-log'].get.responses['403']).toBeDefined();
  });

  it('types parts as a union discriminated by kind, and usage as nullable', () => {
    const event = doc.components.schemas.EventDto;
    expect(event.properties.parts.items.discriminator).toEqual({
      propertyName: 'kind',
      mapping: {
        text: '#/components/schemas/TextPartDto',
        data: '#/components/schemas/DataPartDto',
        file: '#/components/schemas/FilePartDto',
      },
    });
    expect(event.properties.parts.items.oneOf).toHaveLength(3);
    expect(event.properties.usage).toMatchObject({ type: 'object', nullable: true });
    expect(event.properties.usage.allOf).toBeUndefined();
    const append = doc.components.schemas.AppendEventDto.properties.parts;
    expect(append).toMatchObject({ minItems: 1, maxItems: 64 });
    expect(append.items.discriminator.propertyName).toBe('kind');
  });

  it('lists the media types of transcripts and streams, and the statuses the code answers', () => {
    const transcript = doc.paths['/v1/sessions/{id}/transcript'].get.responses['200'].content;
    expect(Object.keys(transcript).sort()).toEqual([
      'application/json',
      'application/x-ndjson',
      'text/csv',
      'text/markdown',
    ]);
    expect(Object.keys(doc.paths['/v1/sessions/{id}/stream'].get.responses['200'].content)).toEqual([
      'text/event-stream',
    ]);
    const turn = doc.paths['/v1/sessions/{id}/events'].post.responses;
    expect(Object.keys(turn['200'].content).sort()).toEqual(['application/json', 'text/event-stream']);
    expect(Object.keys(turn['202'].content).sort()).toEqual(['application/json', 'text/event-stream']);
    expect(Object.keys(turn['201'].content)).toEqual(['application/json']);
    const followUp = doc.paths['/v1/tasks/{id}/events'].post.responses;
    expect(Object.keys(followUp)).toEqual(expect.arrayContaining(['200', '201', '202', '409']));
  });

  it('describes the A2A endpoints: cards, JSON-RPC and HTTP+JSON, with auth and the A2A-Version header', () => {
    expect(doc.components.parameters.A2aVersion).toMatchObject({ in: 'header', name: 'A2A-Version' });
    const rpc = doc.paths['/a2a/{agentId}/jsonrpc'].post;
    expect(rpc.security).toEqual([{ bearer: [] }]);
    expect(rpc.parameters).toContainEqual({ $ref: '#/components/parameters/A2aVersion' });
    expect(rpc.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/A2aJsonRpcRequest');
    expect(doc.paths['/a2a/{agentId}/.well-known/agent-card.json'].get.security).toEqual([]);
    expect(doc.paths['/.well-known/agent-card.json'].get).toBeDefined();
    for (const route of ['message:send', 'message:stream', 'tasks', 'tasks/{taskId}', 'tasks/{taskId}:cancel']) {
      expect([route, Boolean(doc.paths[`/a2a/{agentId}/rest/${route}`])]).toEqual([route, true]);
    }
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});
