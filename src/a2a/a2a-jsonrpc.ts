import { A2A_VERSION_HEADER } from '@a2a-js/sdk';
import { isLegacyJsonRpcMethod, isV1JsonRpcMethod, legacyJsonRpcToV1Method } from '@a2a-js/sdk/compat/v0_3';
import type { Request } from 'express';
import { DomainError } from '../platform/errors/domain-error.js';
import type { ErrorBody } from '../platform/errors/error-body.js';
import type { PresentedError } from '../platform/errors/error-presenters.js';
import { isJsonObject } from '../platform/json/json.js';

export const JSON_RPC_PATH = /^\/a2a\/[^/]+\/jsonrpc\/?$/;

/** v1.0 methods that change something (v0.3 names are translated to these first). */
const WRITE_METHODS = new Set([
  'SendMessage',
  'SendStreamingMessage',
  'CancelTask',
  'CreateTaskPushNotificationConfig',
  'DeleteTaskPushNotificationConfig',
]);

/** v1.0 methods answered with an event stream. */
const STREAMING_METHODS = new Set(['SendStreamingMessage', 'SubscribeToTask']);

/** HTTP+JSON operations answered with an event stream (v1.0 and v0.3 paths). */
const STREAMING_REST_PATH = /(\/message:stream|:subscribe)\/?$/;

function v1Method(method: unknown): string | undefined {
  if (typeof method !== 'string') return undefined;
  return isLegacyJsonRpcMethod(method) ? legacyJsonRpcToV1Method(method) : method;
}

export function isWriteMethod(method: unknown): boolean {
  return WRITE_METHODS.has(v1Method(method) ?? '');
}

/** Whether this A2A request (JSON-RPC or HTTP+JSON) is answered with a stream of events. */
export function isStreamingRequest(req: Request): boolean {
  if (JSON_RPC_PATH.test(req.path)) {
    return STREAMING_METHODS.has(v1Method((req.body as { method?: unknown } | undefined)?.method) ?? '');
  }
  return STREAMING_REST_PATH.test(req.path);
}

/** No A2A-Version header (or 0.3) means an A2A 0.3 request: "Agents MUST interpret empty value as 0.3 version" (§3.6.2). */
export function isLegacyRequest(req: Request): boolean {
  return (req.header(A2A_VERSION_HEADER) || '0.3') === '0.3';
}

function invalidRequest(message: string): DomainError {
  return new DomainError('jsonrpc/invalid_request', message, 400);
}

/**
 * Refuses, as JSON-RPC -32600, a body that is not one JSON-RPC 2.0 request object (batches are not supported),
 * and, as -32601, a v1.0 method sent as a 0.3 request, naming the header that was missing.
 */
export function assertJsonRpcRequest(req: Request): void {
  const body: unknown = req.body;
  if (!isJsonObject(body))
    throw invalidRequest('the body must be one JSON-RPC 2.0 request object (batches are not supported)');
  if (body.jsonrpc !== '2.0') throw invalidRequest('"jsonrpc" must be "2.0"');
  if (typeof body.method !== 'string' || body.method === '')
    throw invalidRequest('"method" must be a non-empty string');
  const id = body.id;
  if (id !== undefined && id !== null && typeof id !== 'string' && !Number.isInteger(id)) {
    throw invalidRequest('"id" must be a string, an integer or null');
  }
  if (isLegacyRequest(req) && isV1JsonRpcMethod(body.method)) {
    const hint = `${body.method} is an A2A 1.0 method: send the header "${A2A_VERSION_HEADER}: 1.0" (without it a request is A2A 0.3)`;
    throw new DomainError('jsonrpc/method_not_found', `Method not found: ${hint}`, 400);
  }
}

const CODES: Record<string, number> = {
  'request/invalid_json': -32700,
  'jsonrpc/invalid_request': -32600,
  'jsonrpc/method_not_found': -32601,
  'agent/not_found': -32601,
  'request/nul_character': -32602,
  'request/invalid_text': -32602,
};

/**
 * Application-defined JSON-RPC codes (outside the range JSON-RPC and A2A reserve) for what the A2A spec leaves
 * to the binding: authentication, permission and rate limit; they equal the HTTP status, which is kept.
 */
const HTTP_LEVEL = new Set([401, 403, 429]);

function jsonRpcCode(error: ErrorBody): number {
  if (CODES[error.code]) return CODES[error.code];
  if (HTTP_LEVEL.has(error.statusCode)) return error.statusCode;
  return error.statusCode >= 500 ? -32603 : -32600;
}

function requestId(body: unknown): string | number | null {
  const id = isJsonObject(body) ? body.id : undefined;
  return typeof id === 'string' || (typeof id === 'number' && Number.isInteger(id)) ? id : null;
}

/**
 * Errors on a JSON-RPC endpoint, whoever raised them (body parsing, the guards, the throttler, the routes), as
 * JSON-RPC error responses: `error.data` is the service's usual error body. Protocol errors answer HTTP 200 as
 * JSON-RPC expects; authentication, permission, unknown agent, size, rate and availability keep their status.
 */
export function presentJsonRpcError(error: ErrorBody, req: Request): PresentedError | undefined {
  if (!JSON_RPC_PATH.test(req.path)) return undefined;
  const status = error.statusCode === 400 ? 200 : error.statusCode;
  const message = status === 200 ? error.message : `${error.statusCode} ${error.error}: ${error.message}`;
  return {
    status,
    body: { jsonrpc: '2.0', id: requestId(req.body), error: { code: jsonRpcCode(error), message, data: error } },
  };
}
