import { Logger } from '@nestjs/common';
import {
  A2AError,
  RequestMalformedError,
  RestTaskNotCancelableError,
  TaskNotFoundError,
  UnsupportedOperationError,
} from '@a2a-js/sdk/errors';
import { DomainError } from '../platform/errors/domain-error.js';
import { mapPrismaError } from '../platform/errors/prisma-error.mapper.js';

const logger = new Logger('A2A');

/**
 * The protocol error for a service error, so the SDK's transports answer with the A2A code (JSON-RPC) or
 * status (HTTP+JSON) a client expects. Database errors are mapped the way the REST API maps them; anything
 * else unexpected is logged and reported as a bare internal error, so no driver or ORM text reaches a client.
 */
export function toA2aError(error: unknown): unknown {
  if (error instanceof A2AError) return error;
  const domain = error instanceof DomainError ? error : mapPrismaError(error);
  if (!domain) {
    logger.error({ err: error }, 'unexpected error in an A2A call');
    return new A2AError({ message: 'internal error' });
  }
  const message = domain.message;
  switch (domain.code) {
    case 'task/not_found':
      return new TaskNotFoundError(message);
    case 'session/not_found':
      return new TaskNotFoundError(`context not found: ${message}`);
    case 'task/not_cancelable':
      // TaskNotCancelableError over JSON-RPC (-32002); 409 Conflict over HTTP+JSON, as the spec's table says.
      return new RestTaskNotCancelableError({ message, statusCode: 409 });
    case 'session/not_writable':
    case 'task/not_awaiting_input':
    case 'auth/forbidden':
    case 'agent/unknown':
      return new UnsupportedOperationError(message);
    default:
      return domain.status >= 400 && domain.status < 500 ? new RequestMalformedError(message) : domain;
  }
}

/** Runs `work`, turning service errors into protocol errors. */
export async function asA2a<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toA2aError(error);
  }
}
