import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { assertCanWrite, type AuthContext } from '../identity/auth/auth-context.js';
import { isWriteMethod, JSON_RPC_PATH } from './a2a-jsonrpc.js';

/** Whether an A2A request changes something: a write method over JSON-RPC, anything but a read over HTTP+JSON. */
export function isA2aWrite(req: Request): boolean {
  if (JSON_RPC_PATH.test(req.path)) {
    const calls: unknown[] = Array.isArray(req.body) ? req.body : [req.body];
    return calls.some((call) => isWriteMethod((call as { method?: unknown } | undefined)?.method));
  }
  return req.method !== 'GET' && req.method !== 'HEAD' && !req.path.endsWith(':subscribe');
}

/**
 * The one place that decides that reviewer tokens read but never write over A2A (send, stream, cancel,
 * push-config create/delete, and their v0.3 names): HTTP 403 before the SDK sees the request. Runs after the
 * global bearer guard, so the caller is known.
 */
@Injectable()
export class A2aWriteGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request & { user?: AuthContext }>();
    if (req.user && isA2aWrite(req)) assertCanWrite(req.user);
    return true;
  }
}
