import { SetMetadata } from '@nestjs/common';

export const AUDIT_READ = 'audit:read';

export interface AuditReadSpec {
  action: string;
  /** which route parameter holds the id, and what it identifies */
  param?: { name: string; kind: 'session' | 'task' };
}

/** Marks a read of conversation data: reviewer and admin calls to it are recorded in access_log. */
export const AuditRead = (action: string, param?: AuditReadSpec['param']) =>
  SetMetadata(AUDIT_READ, { action, param } satisfies AuditReadSpec);
