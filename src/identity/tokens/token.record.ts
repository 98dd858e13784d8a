import type { Role } from '../auth/auth-context.js';

export interface TokenRecord {
  id: string;
  userId: string;
  role: Role;
  name: string | null;
  tokenPrefix: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  /** when the token was last accepted (written at most once a minute) */
  lastUsedAt: Date | null;
  /** role `agent`: the agents it is bound to (empty for other roles) */
  agentIds: string[];
}

export interface NewToken {
  userId: string;
  role: Role;
  name?: string;
  tokenPrefix: string;
  tokenHash: string;
  expiresAt?: Date;
  agentIds?: string[];
}
