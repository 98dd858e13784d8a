import { STATUS_CODES } from 'node:http';

/** The one JSON shape of every error response. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  code: string;
  details?: string[];
  requestId?: string;
}

export function errorBody(status: number, code: string, message: string, details?: string[]): ErrorBody {
  const body: ErrorBody = { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message, code };
  if (details && details.length > 0) body.details = details;
  return body;
}
