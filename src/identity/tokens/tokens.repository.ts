import { Injectable } from '@nestjs/common';
import type { Role } from '../auth/auth-context.js';
import { Prisma, type ApiToken } from '../../generated/prisma/client.js';
import { PrismaService } from '../../platform/database/prisma.service.js';
import { isUuid } from '../../platform/http/uuid.js';
import { notifySql } from '../../platform/notifications/channels.js';
import type { NewToken, TokenRecord } from './token.record.js';

function toRecord(row: ApiToken): TokenRecord {
  return {
    id: row.id,
    userId: row.userId,
    role: row.role as Role,
    name: row.name,
    tokenPrefix: row.tokenPrefix,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    lastUsedAt: row.lastUsedAt,
    agentIds: row.agentIds,
  };
}

@Injectable()
export class TokensRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Creates the user on first use and the token, together. */
  async create(token: NewToken): Promise<TokenRecord> {
    const [, row] = await this.prisma.$transaction([
      this.prisma.user.upsert({ where: { id: token.userId }, create: { id: token.userId }, update: {} }),
      this.prisma.apiToken.create({
        data: {
          userId: token.userId,
          role: token.role,
          name: token.name ?? null,
          tokenPrefix: token.tokenPrefix,
          tokenHash: token.tokenHash,
          expiresAt: token.expiresAt ?? null,
          agentIds: token.agentIds ?? [],
        },
      }),
    ]);
    return toRecord(row);
  }

  /** Records a use; a no-op when the last one is under a minute old, so busy tokens cost no write per request. */
  async touch(id: string): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE api_tokens SET last_used_at = now()
      WHERE id = ${id}::uuid AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`;
  }

  async findByHash(tokenHash: string): Promise<TokenRecord | undefined> {
    const row = await this.prisma.apiToken.findUnique({ where: { tokenHash } });
    return row ? toRecord(row) : undefined;
  }

  async findById(id: string): Promise<TokenRecord | undefined> {
    const row = await this.prisma.apiToken.findUnique({ where: { id } });
    return row ? toRecord(row) : undefined;
  }

  /** Revokes by id or by the printable prefix; returns the tokens that were revoked now. */
  async revoke(idOrPrefix: string): Promise<TokenRecord[]> {
    const where = isUuid(idOrPrefix) ? { id: idOrPrefix } : { tokenPrefix: idOrPrefix };
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.apiToken.findMany({ where: { ...where, revokedAt: null } });
      if (rows.length === 0) return [];
      await tx.apiToken.updateMany({ where: { id: { in: rows.map((r) => r.id) } }, data: { revokedAt: new Date() } });
      // Every instance drops the token from its cache when this commits.
      for (const row of rows) await tx.$executeRaw`SELECT ${notifySql.tokenRevoked(Prisma.sql`${row.id}`)}`;
      return rows.map(toRecord);
    });
  }

  async list(userId?: string): Promise<TokenRecord[]> {
    const rows = await this.prisma.apiToken.findMany({
      where: userId ? { userId } : {},
      orderBy: { createdAt: 'asc' },
    });
    return rows.map(toRecord);
  }
}
