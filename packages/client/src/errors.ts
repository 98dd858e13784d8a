/** The service's one error body: `{ statusCode, error, message, code, details?, requestId }`. */
export interface ErrorBody {
  statusCode?: number;
  error?: string;
  message?: string;
  code?: string;
  details?: unknown[];
  requestId?: string;
}

/** A non-2xx answer. `code` is the service's stable error code (`session/not_found`, `turn/conflict`, …). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly body: ErrorBody | string | undefined;

  constructor(status: number, body: ErrorBody | string | undefined, what: string) {
    const code = typeof body === 'object' && body?.code ? body.code : `http/${status}`;
    const detail = typeof body === 'object' ? body?.message : body;
    super(`${what}: ${status} ${code}${detail ? ` (${detail})` : ''}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

export function isApiError(error: unknown, code?: string): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}
