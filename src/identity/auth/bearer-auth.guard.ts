import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { TokensService } from '../tokens/tokens.service.js';
import type { AuthContext } from './auth-context.js';
import { DomainError, Errors } from '../../platform/errors/domain-error.js';
import { AuthFailureLimiter } from './auth-failure.limiter.js';
import { IS_PUBLIC } from './public.decorator.js';
import { socketAuth } from './socket-auth.js';
import { AGENT_ACCESS } from './agent-access.decorator.js';

/**
 * Global, deny-by-default guard. Tokens are taken from the Authorization header only (never `access_token` in
 * the query string or body, which end up in logs), and looked up through this application's TokensService —
 * not a process-wide strategy registry, so two instances in one process never answer for each other. The
 * caller becomes `req.user`. Failed attempts are limited per client address. A WebSocket message is the
 * caller's whose upgrade was authenticated (UpgradeAuthenticator); a socket nobody authenticated gets nothing.
 * Agent tokens (pull workers) get 403 on every route not marked `@AgentAccess()`.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly failures: AuthFailureLimiter,
    private readonly tokens: TokensService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    if (context.getType() === 'ws') {
      if (socketAuth(context.switchToWs().getClient<object>())) return true;
      throw Errors.unauthorized();
    }
    const req = context.switchToHttp().getRequest<Request>();
    const address = String(req.ip);
    this.failures.assertAllowed(address);
    try {
      const auth = await this.tokens.authenticate(bearerToken(req));
      if (!auth) throw Errors.unauthorized('invalid, expired or revoked token', true);
      (req as Request & { user?: AuthContext }).user = auth;
      if (auth.role === 'agent' && !this.opensToAgents(context)) {
        throw Errors.forbidden("an agent token may only work on its agents' tasks and read their sessions");
      }
      return true;
    } catch (error) {
      if (error instanceof DomainError && error.status === 401) await this.failures.recordFailure(address);
      throw error;
    }
  }

  private opensToAgents(context: ExecutionContext): boolean {
    return this.reflector.getAllAndOverride<boolean>(AGENT_ACCESS, [context.getHandler(), context.getClass()]) === true;
  }
}

function bearerToken(req: Request): string {
  const query = req.query as Record<string, unknown> | undefined;
  const body = req.body as Record<string, unknown> | undefined;
  if (query?.access_token !== undefined || (body && typeof body === 'object' && 'access_token' in body)) {
    throw Errors.unauthorized('tokens are accepted only in the Authorization header');
  }
  const header = req.headers.authorization;
  if (!header) throw Errors.unauthorized();
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw Errors.unauthorized('Authorization header must be "Bearer <token>"', true);
  return match[1];
}
