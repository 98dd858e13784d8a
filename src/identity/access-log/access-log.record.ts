import type { JsonObject } from '../../platform/json/json.js';

/** One row of access_log: who read or changed what, through which token. */
export interface AccessRecord {
  id: string;
  tokenId: string | null;
  actorId: string;
  actorRole: string;
  action: string;
  sessionId: string | null;
  taskId: string | null;
  detail: JsonObject;
  createdAt: Date;
}

export type NewAccessRecord = Omit<AccessRecord, 'id' | 'createdAt'>;

export interface AccessLogFilter {
  actorId?: string;
  sessionId?: string;
  /** keyset position: strictly older than this id */
  beforeId?: bigint;
  limit: number;
}
