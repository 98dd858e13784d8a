import type { JsonObject } from '../../platform/json/json.js';

export const SESSION_STATUSES = ['active', 'input_required', 'completed', 'closed', 'expired'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];
export const CLOSED_STATUSES: readonly SessionStatus[] = ['closed', 'expired'];

export interface SessionRecord {
  id: string;
  userId: string;
  agentId: string;
  name: string | null;
  status: SessionStatus;
  metadata: JsonObject;
  state: JsonObject;
  parentId: string | null;
  createdAt: Date;
  lastActivityAt: Date;
  expiresAt: Date | null;
  closedAt: Date | null;
  eventCount: number;
  turnCount: number;
  promptTokens: number;
  completionTokens: number;
  /** sum of its priced answers' costs; null while none is priced (null means unknown, 0 free) */
  costUsd: number | null;
  /** answers whose cost is unknown: costUsd is complete only when this is 0 */
  unpricedAnswers: number;
  /** the client's own name for the session, unique per user */
  key: string | null;
  /** the agent kind's own memory of the session (the a2a agent's remote contextId); not shown to clients */
  agentContext: JsonObject | null;
}

export interface NewSession {
  id: string;
  userId: string;
  agentId: string;
  name?: string | null;
  metadata?: JsonObject;
  state?: JsonObject;
  parentId?: string | null;
  expiresAt?: Date | null;
  key?: string | null;
}

export interface SessionListFilter {
  ownerId?: string;
  agentId?: string;
  status?: SessionStatus;
  parentId?: string;
  /** keyset position: strictly older than this (createdAt, id) */
  before?: { createdAt: Date; id: string };
  limit: number;
}

export function isWritable(session: SessionRecord, now = new Date()): boolean {
  if (CLOSED_STATUSES.includes(session.status)) return false;
  return !session.expiresAt || session.expiresAt.getTime() > now.getTime();
}
