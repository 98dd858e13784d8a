import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * The request's id: the caller's X-Request-Id when it is sane, else a new UUID; echoed in X-Request-Id. Set by
 * the first middleware, so even errors raised before logging starts (bad JSON, a body too large) carry it.
 */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const holder = req as { id?: unknown };
  if (typeof holder.id === 'string') return holder.id;
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  holder.id = id;
  if (!res.headersSent) res.setHeader('X-Request-Id', id);
  return id;
}

export function assignRequestId(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  requestId(req, res);
  next();
}
