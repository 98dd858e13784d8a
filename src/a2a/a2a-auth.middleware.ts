import { Inject, Injectable, Logger } from '@nestjs/common';
import { getStorageToken, type ThrottlerStorage } from '@nestjs/throttler';
import { isLegacyJsonRpcMethod, legacyJsonRpcToV1Method } from '@a2a-js/sdk/compat/v0_3';
import { UnauthenticatedUser, type ServerCallContext, type User } from '@a2a-js/sdk/server';
import type { UserBuilder } from '@a2a-js/sdk/server/express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuthContext } from '../identity/auth/auth-context.js';
import { DomainError, Errors } from '../platform/errors/domain-error.js';
import { errorBody } from '../platform/errors/error-body.js';
import { AccessLogService } from '../identity/access-log/access-log.service.js';
import { AppConfig } from '../platform/config/app-config.js';
import { TokensService } from '../identity/tokens/tokens.service.js';

/** The caller of an A2A request, as the SDK passes it along in `ServerCallContext.user`. */
export class A2aUser implements User {
  readonly isAuthenticated = true;
  constructor(readonly auth: AuthContext) {}

  get userName(): string {
    return this.auth.userId;
  }
}

/** The AuthContext of an A2A call; the auth middleware guarantees there is one. */
export function authOf(context: ServerCallContext | undefined): AuthContext {
  const user = context?.user;
  if (!(user instanceof A2aUser)) throw Errors.unauthorized();
  return user.auth;
}

/** v1.0 JSON-RPC methods that change something (v0.3 names are translated to these first). */
const WRITE_METHODS = new Set([
  'SendMessage',
  'SendStreamingMessage',
  'CancelTask',
  'CreateTaskPushNotificationConfig',
  'DeleteTaskPushNotificationConfig',
]);

export type A2aBinding = 'jsonrpc' | 'rest';

function isWrite(req: Request, binding: A2aBinding): boolean {
  if (binding === 'rest') return req.method !== 'GET' && req.method !== 'HEAD' && !req.path.endsWith(':subscribe');
  const calls: unknown[] = Array.isArray(req.body) ? req.body : [req.body];
  return calls.some((call) => {
    const method = (call as { method?: unknown } | undefined)?.method;
    if (typeof method !== 'string') return false;
    return WRITE_METHODS.has(isLegacyJsonRpcMethod(method) ? legacyJsonRpcToV1Method(method) : method);
  });
}

/** The task a read names, when it names one (JSON-RPC `params.id`/`params.name`, or a REST path). */
function taskIdOf(req: Request, binding: A2aBinding): string | null {
  const raw = binding === 'rest' ? req.path : JSON.stringify((req.body as { params?: unknown })?.params ?? {});
  return /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i.exec(raw)?.[1] ?? null;
}

function reject(res: Response, error: DomainError): void {
  for (const [name, value] of Object.entries(error.headers ?? {})) res.setHeader(name, value);
  res.status(error.status).json(errorBody(error.status, error.code, error.message));
}

/**
 * Bearer authentication for the A2A endpoints, which are plain Express routers the global Nest guard does not
 * see. Same rules as the REST API: the token only in the Authorization header, 401 with `WWW-Authenticate:
 * Bearer` when it is missing or invalid, and reviewer tokens read but do not write (HTTP 403 for sending a
 * message or canceling a task). The caller is handed to the SDK through `a2aUserBuilder`.
 */
@Injectable()
export class A2aAuthMiddleware {
  private readonly logger = new Logger('A2A');
  private readonly callers = new WeakMap<Request, AuthContext>();

  constructor(
    private readonly tokens: TokensService,
    private readonly config: AppConfig,
    private readonly accessLog: AccessLogService,
    @Inject(getStorageToken()) private readonly throttle: ThrottlerStorage,
  ) {}

  /** The SDK's user builder: turns the request this middleware authenticated into an A2aUser. */
  readonly userBuilder: UserBuilder = async (req) => {
    const auth = this.callers.get(req);
    return auth ? new A2aUser(auth) : new UnauthenticatedUser();
  };

  for(binding: A2aBinding): RequestHandler {
    return (req, res, next) => void this.authenticate(req, res, next, binding);
  }

  private async authenticate(req: Request, res: Response, next: NextFunction, binding: A2aBinding): Promise<void> {
    try {
      const header = req.headers.authorization;
      const query = req.query as Record<string, unknown> | undefined;
      if (query?.access_token !== undefined) return reject(res, Errors.unauthorized('tokens are accepted only in the Authorization header'));
      if (!header) return reject(res, Errors.unauthorized());
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) return reject(res, Errors.unauthorized('Authorization header must be "Bearer <token>"', true));
      const auth = await this.tokens.authenticate(match[1]);
      if (!auth) return reject(res, Errors.unauthorized('invalid, expired or revoked token', true));
      const write = isWrite(req, binding);
      if (auth.role === 'reviewer' && write) return reject(res, Errors.forbidden());
      const retryAfter = await this.overLimit(auth);
      if (retryAfter !== undefined) {
        res.setHeader('Retry-After', String(retryAfter));
        return reject(res, new DomainError('rate_limit/exceeded', 'too many requests for this token', 429));
      }
      if (!write && auth.role !== 'user') await this.recordRead(auth, req, binding);
      this.callers.set(req, auth);
      next();
    } catch (error) {
      next(error);
    }
  }

  /** The same per-token budget as the REST API (its own bucket); seconds to wait when it is spent. */
  private async overLimit(auth: AuthContext): Promise<number | undefined> {
    const limit = this.config.http.rateLimitPerMinute;
    if (limit === 0) return undefined;
    const record = await this.throttle.increment(`a2a:token:${auth.tokenId}`, 60_000, limit, 60_000, 'a2a');
    return record.totalHits > limit ? Math.max(1, Math.ceil(record.timeToExpire)) : undefined;
  }

  /** Reviewer and admin reads over A2A are recorded in access_log like the REST ones. */
  private async recordRead(auth: AuthContext, req: Request, binding: A2aBinding): Promise<void> {
    const method = binding === 'jsonrpc' ? jsonRpcMethod(req.body) : `${req.method} ${req.path}`;
    try {
      await this.accessLog.record({
        tokenId: auth.tokenId, actorId: auth.userId, actorRole: auth.role, action: 'a2a.read',
        sessionId: null, taskId: taskIdOf(req, binding), detail: { path: req.originalUrl.split('?')[0], method },
      });
    } catch (error) {
      this.logger.error(`could not record an A2A read by ${auth.userId}: ${(error as Error).message}`);
    }
  }
}

function jsonRpcMethod(body: unknown): string {
  const method = (body as { method?: unknown } | undefined)?.method;
  return typeof method === 'string' ? method : '';
}
