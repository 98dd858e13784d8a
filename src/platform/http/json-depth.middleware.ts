import type { NextFunction, Request, Response } from 'express';
import { Errors } from '../errors/domain-error.js';
import { jsonDepth } from './validation/json.validators.js';

/** Deeper than any valid request; stops recursive validation from overflowing the stack on hostile input. */
export const MAX_BODY_DEPTH = 64;

/** Rejects absurdly nested JSON bodies right after parsing, before anything walks them recursively. */
export function rejectDeepJson(req: Request, _res: Response, next: NextFunction): void {
  if (req.body && typeof req.body === 'object' && jsonDepth(req.body, MAX_BODY_DEPTH + 1) > MAX_BODY_DEPTH) {
    return next(Errors.badRequest('request/too_deep', `request body is nested more than ${MAX_BODY_DEPTH} levels`));
  }
  next();
}

/** Whether a parsed value holds a NUL character anywhere (PostgreSQL text and jsonb cannot store one). */
export function containsNul(value: unknown, depth = MAX_BODY_DEPTH + 1): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (typeof value !== 'object' || value === null || depth <= 0) return false;
  for (const [key, child] of Object.entries(value)) {
    if (key.includes('\u0000') || containsNul(child, depth - 1)) return true;
  }
  return false;
}

/** Rejects NUL characters in the query string or body with a 400 instead of a database error. */
export function rejectNulCharacters(req: Request, _res: Response, next: NextFunction): void {
  if (containsNul(req.query) || containsNul(req.body)) {
    return next(Errors.badRequest('request/nul_character', 'text may not contain NUL (\\u0000) characters'));
  }
  next();
}
