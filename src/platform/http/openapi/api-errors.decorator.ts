import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath, type HeadersObject } from '@nestjs/swagger';
import { ErrorBodyDto } from './error-body.dto.js';

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 503;

const RETRY_AFTER: HeadersObject = {
  'Retry-After': { description: 'seconds to wait before retrying', schema: { type: 'integer' } },
};

const ERRORS: Record<ErrorStatus, { description: string; headers?: HeadersObject }> = {
  400: { description: 'invalid input (request/bad_request, request/invalid_json, request/invalid_text, …)' },
  401: {
    description: 'missing, unknown, revoked or expired bearer token (auth/unauthorized)',
    headers: { 'WWW-Authenticate': { description: 'Bearer challenge', schema: { type: 'string' } } },
  },
  403: { description: "the token's role may not do this (auth/forbidden)" },
  404: { description: 'not found, or not visible to this token (session/not_found, task/not_found)' },
  409: { description: 'conflicts with the current state (session/not_writable, event/id_conflict, task/…)' },
  413: { description: 'the body exceeds the size limit (request/too_large)' },
  415: { description: 'unsupported content encoding or charset' },
  429: {
    description: 'rate limit of the token or address (rate_limit/exceeded), or too many open streams',
    headers: RETRY_AFTER,
  },
  503: { description: 'the database is unavailable; retry (database/unavailable)', headers: RETRY_AFTER },
};

/**
 * Documents error responses with the one error body (application/json whatever the success media types are).
 * On a controller it applies to every operation; on a method it adds to those.
 */
export function ApiErrors(...statuses: ErrorStatus[]): MethodDecorator & ClassDecorator {
  const content = { 'application/json': { schema: { $ref: getSchemaPath(ErrorBodyDto) } } };
  return applyDecorators(
    ApiExtraModels(ErrorBodyDto),
    ...statuses.map((status) => ApiResponse({ status, ...ERRORS[status], content })),
  );
}
