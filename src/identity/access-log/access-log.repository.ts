import { Injectable } from '@nestjs/common';
import type { Prisma } from '../../generated/prisma/client.js';
import type { JsonObject } from '../../platform/json/json.js';
import { PrismaService } from '../../platform/database/prisma.service.js';

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

@Injectable()
export class AccessLogRepository {
  constructor(private readonly prisma: PrismaService) {}

  async add(record: NewAccessRecord): Promise<void> {
    await this.prisma.accessLog.create({ data: { ...record, detail: record.detail as Prisma.InputJsonObject } });
  }

  /** Newest first; keyset on the id (which grows with time). */
  async list(filter: AccessLogFilter): Promise<AccessRecord[]> {
    const rows = await this.prisma.accessLog.findMany({
      where: {
        ...(filter.actorId ? { actorId: filter.actorId } : {}),
        ...(filter.sessionId ? { sessionId: filter.sessionId } : {}),
        ...(filter.beforeId ? { id: { lt: filter.beforeId } } : {}),
      },
      orderBy: { id: 'desc' },
      take: filter.limit,
    });
    return rows.map((row) => ({ ...row, id: row.id.toString(), detail: row.detail as JsonObject }));
  }
}
