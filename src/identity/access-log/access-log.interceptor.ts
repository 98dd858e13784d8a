import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Observable, tap } from 'rxjs';
import { readsAllUsers, type AuthContext } from '../auth/auth-context.js';
import { errorMessage } from '../../platform/errors/error-message.js';
import type { JsonObject } from '../../platform/json/json.js';
import { AccessLogRepository } from './access-log.repository.js';
import { AUDIT_READ, type AuditReadSpec } from './audit-read.decorator.js';

/**
 * Records every successful reviewer or admin read of conversation data (who, when, what) in access_log.
 * The record is written when the handler succeeds (for a stream: when it starts); a failure to record is
 * logged, never hidden from the log's readers by failing silently.
 */
@Injectable()
export class AccessLogInterceptor implements NestInterceptor {
  private readonly logger = new Logger(AccessLogInterceptor.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly accessLog: AccessLogRepository,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const spec = this.reflector.get<AuditReadSpec | undefined>(AUDIT_READ, context.getHandler());
    const req = context.switchToHttp().getRequest<Request & { user?: AuthContext }>();
    const auth = req.user;
    if (!spec || !auth || !readsAllUsers(auth)) return next.handle();
    const record = () => this.record(spec, auth, req);
    if (req.headers.accept?.includes('text/event-stream')) void record();
    return next.handle().pipe(tap({ next: () => void record() }));
  }

  private async record(spec: AuditReadSpec, auth: AuthContext, req: Request): Promise<void> {
    const id = spec.param ? String(req.params[spec.param.name]) : undefined;
    const detail: JsonObject = { path: req.originalUrl.split('?')[0] };
    const query = Object.entries(req.query).filter(([, v]) => typeof v === 'string');
    if (query.length > 0) detail.query = Object.fromEntries(query) as JsonObject;
    try {
      await this.accessLog.add({
        tokenId: auth.tokenId,
        actorId: auth.userId,
        actorRole: auth.role,
        action: spec.action,
        sessionId: spec.param?.kind === 'session' ? (id ?? null) : null,
        taskId: spec.param?.kind === 'task' ? (id ?? null) : null,
        detail,
      });
    } catch (error) {
      this.logger.error(`could not record ${spec.action} by ${auth.userId}: ${errorMessage(error)}`);
    }
  }
}
