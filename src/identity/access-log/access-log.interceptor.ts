import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Observable, tap } from 'rxjs';
import { readsAllUsers, type AuthContext } from '../auth/auth-context.js';
import type { JsonObject } from '../../platform/json/json.js';
import { AccessLogService } from './access-log.service.js';
import { AUDIT_READ, type AuditReadSpec } from './audit-read.decorator.js';

/**
 * Records every successful reviewer or admin read of conversation data (who, when, what) in access_log,
 * for the routes marked with @AuditRead. The record is written when the handler succeeds; streams and exports
 * (`streamed`) as they start. A task read is filed under the task's session, taken from the task it returned.
 */
@Injectable()
export class AccessLogInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly accessLog: AccessLogService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const spec = this.reflector.get<AuditReadSpec | undefined>(AUDIT_READ, context.getHandler());
    const req = context.switchToHttp().getRequest<Request & { user?: AuthContext }>();
    const auth = req.user;
    if (!spec || !auth || !readsAllUsers(auth)) return next.handle();
    if (spec.streamed || req.headers.accept?.includes('text/event-stream')) {
      void this.record(spec, auth, req);
      return next.handle();
    }
    return next.handle().pipe(tap({ next: (body: unknown) => void this.record(spec, auth, req, sessionOf(body)) }));
  }

  private record(spec: AuditReadSpec, auth: AuthContext, req: Request, taskSession?: string): Promise<void> {
    const id = spec.param ? String(req.params[spec.param.name]) : undefined;
    const detail: JsonObject = { path: req.originalUrl.split('?')[0] };
    const query = Object.entries(req.query).filter(([, v]) => typeof v === 'string');
    if (query.length > 0) detail.query = Object.fromEntries(query) as JsonObject;
    return this.accessLog.recordRead(auth, {
      action: spec.action,
      sessionId: spec.param?.kind === 'session' ? id : (taskSession ?? null),
      taskId: spec.param?.kind === 'task' ? id : null,
      detail,
    });
  }
}

/** The session id of a returned task, if the body is one. */
function sessionOf(body: unknown): string | undefined {
  const sessionId = (body as { sessionId?: unknown } | null | undefined)?.sessionId;
  return typeof sessionId === 'string' ? sessionId : undefined;
}
