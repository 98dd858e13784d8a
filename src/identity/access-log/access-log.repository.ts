import { Injectable } from '@nestjs/common';
import type { JsonObject } from '../../platform/json/json.js';
import type { AccessLogFilter, AccessRecord, NewAccessRecord } from './access-log.record.js';
import { PrismaService } from '../../platform/database/prisma.service.js';
import { ReadPrismaService } from '../../platform/database/read-prisma.service.js';

@Injectable()
export class AccessLogRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly replica: ReadPrismaService,
  ) {}

  async add(record: NewAccessRecord): Promise<void> {
    await this.prisma.accessLog.create({ data: { ...record, detail: record.detail } });
  }

  /** Newest first; keyset on the id (which grows with time). A report, so it reads from DATABASE_READ_URL. */
  async list(filter: AccessLogFilter): Promise<AccessRecord[]> {
    const rows = await this.replica.accessLog.findMany({
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
