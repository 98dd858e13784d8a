import { Injectable, Logger } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { ROLES, type AuthContext, type Role } from '../auth/auth-context.js';
import { AGENT_ID } from '../../platform/config/agent-config.js';
import { Errors } from '../../platform/errors/domain-error.js';
import { NotificationsService } from '../../platform/notifications/notifications.service.js';
import { TokenCache } from './token-cache.js';
import type { TokenRecord } from './token.record.js';
import { TokensRepository } from './tokens.repository.js';

const TOKEN_PREFIX = 'ast_';
const PREFIX_LENGTH = TOKEN_PREFIX.length + 8;
const MAX_TOKEN_LENGTH = 256;
const USER_ID = /^[A-Za-z0-9._@:-]{1,128}$/;
const MAX_AGENTS = 32;

export interface IssueTokenInput {
  userId: string;
  role?: Role;
  name?: string;
  ttlSeconds?: number;
  /** role `agent`: the agents the token is bound to (at least one; other roles take none) */
  agentIds?: string[];
}

export interface IssuedToken {
  token: string;
  record: TokenRecord;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Bearer tokens: 256 random bits, shown once, stored only as a SHA-256 hash. Lookup is by the full hash, so
 * how long a wrong token takes to reject does not depend on how much of it matches a real one. Valid tokens
 * are cached for a few seconds; revocation evicts them on every instance at once (NOTIFY).
 */
const CACHE_TTL_MS = 5_000;

@Injectable()
export class TokensService {
  private readonly logger = new Logger(TokensService.name);
  private readonly cache = new TokenCache(CACHE_TTL_MS);

  constructor(
    private readonly tokens: TokensRepository,
    private readonly notifications: NotificationsService,
  ) {
    this.notifications.on('tokenRevoked', ({ tokenId }) => this.cache.evictToken(tokenId));
    this.notifications.onReconnect(() => this.cache.clear());
  }

  async issue(input: IssueTokenInput): Promise<IssuedToken> {
    const role = input.role ?? 'user';
    if (!ROLES.includes(role)) throw new Error(`role must be one of ${ROLES.join(', ')}`);
    if (!USER_ID.test(input.userId)) throw new Error('user id must be 1-128 characters of A-Z a-z 0-9 . _ @ : -');
    const agentIds = [...new Set(input.agentIds ?? [])];
    checkAgentBinding(role, agentIds);
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const record = await this.tokens.create({
      userId: input.userId,
      role,
      name: input.name,
      tokenPrefix: token.slice(0, PREFIX_LENGTH),
      tokenHash: hashToken(token),
      expiresAt: input.ttlSeconds ? new Date(Date.now() + input.ttlSeconds * 1000) : undefined,
      agentIds,
    });
    return { token, record };
  }

  async authenticate(token: string): Promise<AuthContext | undefined> {
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return undefined;
    const hash = hashToken(token);
    // Without the notification connection a revocation elsewhere could go unheard: ask the database.
    const cached = this.notifications.connected ? this.cache.get(hash) : undefined;
    if (cached) return cached;
    const record = await this.tokens.findByHash(hash);
    if (!record || record.revokedAt) return undefined;
    if (record.expiresAt && record.expiresAt.getTime() <= Date.now()) return undefined;
    const auth: AuthContext = { tokenId: record.id, userId: record.userId, role: record.role };
    if (record.role === 'agent') auth.agentIds = record.agentIds;
    this.cache.set(hash, auth, record.expiresAt);
    // Only on a cache miss (at most every few seconds per token), and never in the way of the request.
    this.tokens
      .touch(record.id)
      .catch((error: unknown) => this.logger.warn(`could not record the use of token ${record.id}: ${String(error)}`));
    return auth;
  }

  /** The caller's own token, as it is stored now (gone or revoked since it was accepted: 401). */
  async current(auth: AuthContext): Promise<TokenRecord> {
    const record = await this.tokens.findById(auth.tokenId);
    if (!record || record.revokedAt) throw Errors.unauthorized('invalid, expired or revoked token', true);
    return record;
  }

  async revoke(idOrPrefix: string): Promise<TokenRecord[]> {
    const revoked = await this.tokens.revoke(idOrPrefix);
    for (const token of revoked) this.cache.evictToken(token.id);
    return revoked;
  }

  list(userId?: string): Promise<TokenRecord[]> {
    return this.tokens.list(userId);
  }
}

/** Agent tokens are bound to 1..MAX_AGENTS agent ids; other roles to none. */
function checkAgentBinding(role: Role, agentIds: string[]): void {
  if (role !== 'agent') {
    if (agentIds.length > 0) throw new Error('only tokens of role agent are bound to agents');
    return;
  }
  if (agentIds.length === 0 || agentIds.length > MAX_AGENTS) {
    throw new Error(`an agent token must be bound to 1-${MAX_AGENTS} agents`);
  }
  const bad = agentIds.find((id) => !AGENT_ID.test(id));
  if (bad !== undefined) throw new Error(`agent id ${JSON.stringify(bad)} must match ${String(AGENT_ID)}`);
}
