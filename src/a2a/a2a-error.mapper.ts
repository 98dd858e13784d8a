import {
  RequestMalformedError,
  TaskNotCancelableError,
  TaskNotFoundError,
  UnsupportedOperationError,
} from '@a2a-js/sdk/errors';
import { DomainError } from '../platform/errors/domain-error.js';

/**
 * The protocol error for a service error, so the SDK's transports answer with the A2A code (JSON-RPC) or
 * status (HTTP+JSON) a client expects. Anything else is left as it is (the SDK reports an internal error).
 */
export function toA2aError(error: unknown): unknown {
  if (!(error instanceof DomainError)) return error;
  const message = error.message;
  switch (error.code) {
    case 'task/not_found':
      return new TaskNotFoundError(message);
    case 'session/not_found':
      return new TaskNotFoundError(`context not found: ${message}`);
    case 'task/not_cancelable':
      return new TaskNotCancelableError(message);
    case 'session/not_writable':
    case 'task/not_awaiting_input':
    case 'auth/forbidden':
    case 'agent/unknown':
      return new UnsupportedOperationError(message);
    default:
      return error.status >= 400 && error.status < 500 ? new RequestMalformedError(message) : error;
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
