import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { Errors } from '../errors/domain-error.js';
import { containsNul, MAX_BODY_DEPTH } from './json-depth.middleware.js';
import { jsonDepth } from './validation/json.validators.js';

/** A lone UTF-16 surrogate: a string JSON can carry (`"\ud800"`) but UTF-8, PostgreSQL and most clients cannot. */
const LONE_SURROGATE = /\p{Cs}/u;

const invalidText = (where: string) =>
  Errors.invalidText(`${where} is not valid Unicode text (invalid UTF-8 or a lone surrogate)`);

/** Whether the percent-escapes of an (ASCII) URL decode to valid UTF-8; Node's HTTP parser refuses raw non-ASCII bytes. */
export function urlIsUtf8(url: string): boolean {
  if (!url.includes('%')) return true;
  const bytes = url.replace(/%([0-9a-f]{2})/gi, (_escape, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return isUtf8(Buffer.from(bytes, 'latin1'));
}

/** Whether a parsed JSON value holds a lone surrogate in any string or key. */
export function containsLoneSurrogate(value: unknown, depth = MAX_BODY_DEPTH + 1): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value);
  if (typeof value !== 'object' || value === null || depth <= 0) return false;
  for (const [key, child] of Object.entries(value)) {
    if (LONE_SURROGATE.test(key) || containsLoneSurrogate(child, depth - 1)) return true;
  }
  return false;
}

/**
 * body-parser `verify` hook: a UTF-8 body must be valid UTF-8. Without it the decoder would silently turn bad
 * bytes into U+FFFD, and the service would store text the client never sent.
 */
export function verifyUtf8Body(_req: IncomingMessage, _res: unknown, body: Buffer, encoding: string): void {
  if (/^utf-?8$/i.test(encoding) && !isUtf8(body)) throw invalidText('the request body');
}

/**
 * One answer for text that is not valid Unicode, wherever it is: 400 `request/invalid_text` for percent-escapes
 * of invalid UTF-8 in the path or query (Express would decode them to U+FFFD, or fail with a vague message) and
 * for lone surrogates in any string or key of a JSON body.
 */
export function rejectInvalidText(req: Request, _res: Response, next: NextFunction): void {
  const [path, query] = req.originalUrl.split('?', 2);
  if (!urlIsUtf8(path)) return next(invalidText('the path'));
  if (query !== undefined && !urlIsUtf8(query)) return next(invalidText('the query string'));
  if (containsLoneSurrogate(req.body)) return next(invalidText('a string in the request body'));
  next();
}

/**
 * The checks the middleware chain applies to a parsed JSON body (depth, NUL, lone surrogates), with the same
 * errors, for JSON that does not arrive as an HTTP body (a WebSocket message).
 */
export function assertJsonBody(value: unknown): void {
  if (typeof value === 'object' && value !== null && jsonDepth(value, MAX_BODY_DEPTH + 1) > MAX_BODY_DEPTH) {
    throw Errors.badRequest('request/too_deep', `request body is nested more than ${MAX_BODY_DEPTH} levels`);
  }
  if (containsNul(value)) {
    throw Errors.badRequest('request/nul_character', 'text may not contain NUL (\\u0000) characters');
  }
  if (containsLoneSurrogate(value)) throw invalidText('a string in the request body');
}
