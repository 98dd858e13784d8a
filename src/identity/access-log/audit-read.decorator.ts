import { SetMetadata } from '@nestjs/common';

export const AUDIT_READ = 'audit:read';

export interface AuditReadSpec {
  action: string;
  /** which route parameter holds the id, and what it identifies */
  param?: { name: string; kind: 'session' | 'task' };
  /** a stream or an export: recorded as it starts, not when (or whether) it ends */
  streamed?: boolean;
}

/** Marks a read of conversation data: reviewer and admin calls to it are recorded in access_log. */
export const AuditRead = (action: string, param?: AuditReadSpec['param'], options: { streamed?: boolean } = {}) =>
  SetMetadata(AUDIT_READ, { action, param, streamed: options.streamed } satisfies AuditReadSpec);
