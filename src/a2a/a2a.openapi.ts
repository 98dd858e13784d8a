import type { OpenAPIObject, OperationObject, PathItemObject, ReferenceObject, SchemaObject } from '@nestjs/swagger';

// The A2A routes are answered by @a2a-js/sdk behind one catch-all controller, so Swagger cannot see them; they are
// described here at the envelope level. The payloads (Message, Task, AgentCard) are A2A's: https://a2a-protocol.org.

const json = (schema: SchemaObject | ReferenceObject) => ({ 'application/json': { schema } });
const sse = {
  'text/event-stream': { schema: { type: 'string', description: 'one JSON-RPC response or A2A object per `data:`' } },
};
const parameter = (name: string) => ({ $ref: `#/components/parameters/${name}` });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const serviceError = (description: string) => ({ description, content: json(ref('ErrorBodyDto')) });

const SCHEMAS: Record<string, SchemaObject> = {
  A2aJsonRpcRequest: {
    type: 'object',
    required: ['jsonrpc', 'method'],
    properties: {
      jsonrpc: { type: 'string', enum: ['2.0'] },
      id: { description: 'a string, a number or null (any type: OpenAPI 3.0 cannot say nullable without one)' },
      method: {
        type: 'string',
        example: 'SendMessage',
        description:
          'with A2A-Version 1.0: SendMessage, SendStreamingMessage, GetTask, ListTasks, CancelTask, SubscribeToTask, …; without: message/send, message/stream, tasks/get, tasks/cancel, tasks/resubscribe',
      },
      params: { type: 'object', additionalProperties: true },
    },
  },
  A2aJsonRpcResponse: {
    type: 'object',
    required: ['jsonrpc', 'id'],
    description: 'exactly one of result and error',
    properties: {
      jsonrpc: { type: 'string', enum: ['2.0'] },
      id: { description: 'a string, a number or null (any type: OpenAPI 3.0 cannot say nullable without one)' },
      result: { type: 'object', additionalProperties: true, description: 'a Task, Message, task list, …' },
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'integer', description: '-32700…-32600 JSON-RPC, -32001… A2A; 401, 403, 429 for the service' },
          message: { type: 'string' },
          data: {
            type: 'object',
            additionalProperties: true,
            description: "the service's error body, when it raised it",
          },
        },
      },
    },
  },
  A2aObject: { type: 'object', additionalProperties: true, description: 'an A2A Task, Message or task list' },
  A2aAgentCard: {
    type: 'object',
    required: ['name'],
    additionalProperties: true,
    description:
      'A2A 1.0 card (supportedInterfaces) with A2A-Version: 1.0, else the 0.3 card (url, preferredTransport)',
    properties: {
      name: { type: 'string' },
      description: { type: 'string' },
      supportedInterfaces: { type: 'array', items: { type: 'object', additionalProperties: true } },
      url: { type: 'string', description: 'A2A 0.3' },
    },
  },
};

const PARAMETERS = {
  A2aVersion: {
    name: 'A2A-Version',
    in: 'header' as const,
    required: false,
    description: 'the A2A protocol version; without it a request is A2A 0.3 (its method names and card)',
    schema: { type: 'string', enum: ['1.0', '0.3'] },
  },
  A2aAgentId: { name: 'agentId', in: 'path' as const, required: true, schema: { type: 'string', example: 'echo' } },
  A2aTaskId: { name: 'taskId', in: 'path' as const, required: true, schema: { type: 'string', format: 'uuid' } },
};

const WRITE_ERRORS = { '403': serviceError('a reviewer token may not send or cancel') };
const AUTH_ERRORS = {
  '401': serviceError('missing or invalid bearer token (WWW-Authenticate)'),
  '404': serviceError('unknown agent or task'),
  '429': serviceError('rate limit (Retry-After)'),
  '503': serviceError('the database is unavailable (Retry-After)'),
};

function operation(summary: string, extra: Partial<OperationObject>, params: string[] = []): OperationObject {
  return {
    tags: ['a2a'],
    summary,
    security: [{ bearer: [] }],
    parameters: ['A2aAgentId', 'A2aVersion', ...params].map(parameter),
    responses: AUTH_ERRORS,
    ...extra,
  };
}

function card(summary: string, params: string[]): PathItemObject {
  return {
    get: {
      tags: ['a2a'],
      summary,
      security: [],
      parameters: params.map(parameter),
      responses: {
        '200': { description: 'the agent card', content: json(ref('A2aAgentCard')) },
        '404': serviceError('unknown agent'),
      },
    },
  };
}

const REST = '/a2a/{agentId}/rest';
// HTTP+JSON answers in A2A's own media type; errors of the service's pipeline (auth, rate limit) stay application/json.
const a2aJson = { 'application/a2a+json': { schema: ref('A2aObject') } };
const restBody = {
  required: true,
  content: { ...json(ref('A2aObject')), ...a2aJson },
};

const PATHS: Record<string, PathItemObject> = {
  '/.well-known/agent-card.json': card("The default agent's public card", ['A2aVersion']),
  '/a2a/{agentId}/.well-known/agent-card.json': card("An agent's public card", ['A2aAgentId', 'A2aVersion']),
  '/a2a/{agentId}/jsonrpc': {
    post: operation('A2A over JSON-RPC 2.0 (one request per call, no batches)', {
      requestBody: { required: true, content: json(ref('A2aJsonRpcRequest')) },
      responses: {
        '200': {
          description: 'a JSON-RPC response (protocol errors too); streaming methods answer an event stream',
          content: { ...json(ref('A2aJsonRpcResponse')), ...sse },
        },
        ...Object.fromEntries(
          Object.entries({ ...AUTH_ERRORS, ...WRITE_ERRORS }).map(([status, r]) => [
            status,
            { ...r, content: json(ref('A2aJsonRpcResponse')) },
          ]),
        ),
      },
    }),
  },
  [`${REST}/message:send`]: {
    post: operation('Send a message (HTTP+JSON)', {
      requestBody: restBody,
      responses: { '200': { description: 'a Task or Message', content: a2aJson }, ...AUTH_ERRORS, ...WRITE_ERRORS },
    }),
  },
  [`${REST}/message:stream`]: {
    post: operation('Send a message and stream the task', {
      requestBody: restBody,
      responses: { '200': { description: 'task updates', content: sse }, ...AUTH_ERRORS, ...WRITE_ERRORS },
    }),
  },
  [`${REST}/tasks`]: {
    get: operation('List tasks', {
      responses: { '200': { description: 'a page of tasks', content: a2aJson }, ...AUTH_ERRORS },
    }),
  },
  [`${REST}/tasks/{taskId}`]: {
    get: operation(
      'One task',
      { responses: { '200': { description: 'the task', content: a2aJson }, ...AUTH_ERRORS } },
      ['A2aTaskId'],
    ),
  },
  [`${REST}/tasks/{taskId}:cancel`]: {
    post: operation(
      'Cancel a task (409 when it has finished)',
      {
        responses: {
          '200': { description: 'the task', content: a2aJson },
          '409': { description: 'not cancelable', content: a2aJson },
          ...AUTH_ERRORS,
          ...WRITE_ERRORS,
        },
      },
      ['A2aTaskId'],
    ),
  },
  [`${REST}/tasks/{taskId}:subscribe`]: {
    post: operation(
      'Follow a task',
      { responses: { '200': { description: 'task updates', content: sse }, ...AUTH_ERRORS } },
      ['A2aTaskId'],
    ),
  },
};

/** Adds the A2A routes to the API document (A2A 0.3's HTTP+JSON routes live under `/rest/v1/` and are not listed). */
export function describeA2a(document: OpenAPIObject): OpenAPIObject {
  document.tags = [
    ...(document.tags ?? []),
    { name: 'a2a', description: 'A2A protocol endpoints of every configured agent (docs/a2a.md)' },
  ];
  document.paths = { ...document.paths, ...PATHS };
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...SCHEMAS },
    parameters: { ...document.components?.parameters, ...PARAMETERS },
  };
  return document;
}
