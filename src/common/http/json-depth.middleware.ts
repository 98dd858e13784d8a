import type { NextFunction, Request, Response } from 'express';
import { Errors } from '../errors/domain-error.js';
import { jsonDepth } from '../validation/json.validators.js';

/** Deeper than any valid request; stops recursive validation from overflowing the stack on hostile input. */
export const MAX_BODY_DEPTH = 64;

/** Rejects absurdly nested JSON bodies right after parsing, before anything walks them recursively. */
export function rejectDeepJson(req: Request, _res: Response, next: NextFunction): void {
  if (req.body && typeof req.body === 'object' && jsonDepth(req.body, MAX_BODY_DEPTH + 1) > MAX_BODY_DEPTH) {
    return next(Errors.badRequest('request/too_deep', `request body is nested more than ${MAX_BODY_DEPTH} levels`));
  }
  next();
}
