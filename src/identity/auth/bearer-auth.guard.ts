import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { Errors } from '../../platform/errors/domain-error.js';
import { IS_PUBLIC } from './public.decorator.js';

/**
 * Global, deny-by-default guard. Tokens are taken from the Authorization header only: passport-http-bearer
 * would also read `access_token` from the query string or body, which ends up in logs, so such requests are
 * refused before passport sees them.
 */
@Injectable()
export class BearerAuthGuard extends AuthGuard('bearer') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const query = req.query as Record<string, unknown> | undefined;
    const body = req.body as Record<string, unknown> | undefined;
    if (query?.access_token !== undefined || (body && typeof body === 'object' && 'access_token' in body)) {
      throw Errors.unauthorized('tokens are accepted only in the Authorization header');
    }
    const header = req.headers.authorization;
    if (!header) throw Errors.unauthorized();
    if (!/^Bearer\s+\S+$/i.test(header)) throw Errors.unauthorized('Authorization header must be "Bearer <token>"', true);
    return super.canActivate(context);
  }

  override handleRequest<T>(err: unknown, user: T | false): T {
    if (err) throw err instanceof Error ? err : new Error('bearer authentication failed', { cause: err });
    if (!user) throw Errors.unauthorized('invalid, expired or revoked token', true);
    return user;
  }
}
