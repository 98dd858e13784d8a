import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../platform/database/prisma.service.js';
import type { KeysetPosition } from '../../platform/http/pagination.js';
import type { AnnotationRecord, NewAnnotation } from './annotation.record.js';

export interface AnnotationFilter {
  sessionId: string;
  sharedOnly: boolean;
  /** keyset: strictly after this (createdAt, id) */
  after?: KeysetPosition;
  limit: number;
}

type AnnotationRow = Omit<AnnotationRecord, 'authorRole'> & { authorRole: string };

/** On the primary: an annotation is listed right after it is written. Inserts only (the table is append-only). */
@Injectable()
export class AnnotationsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async insert(annotation: NewAnnotation): Promise<AnnotationRecord> {
    return toRecord(await this.prisma.annotation.create({ data: annotation }));
  }

  /** Oldest first, like a comment thread (index annotations_session_id_created_at_id_idx). */
  async list(filter: AnnotationFilter): Promise<AnnotationRecord[]> {
    const { after } = filter;
    const rows = await this.prisma.annotation.findMany({
      where: {
        sessionId: filter.sessionId,
        ...(filter.sharedOnly ? { shared: true } : {}),
        ...(after
          ? {
              OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }],
            }
          : {}),
      },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: filter.limit,
    });
    return rows.map(toRecord);
  }
}

function toRecord(row: AnnotationRow): AnnotationRecord {
  return { ...row, authorRole: row.authorRole === 'admin' ? 'admin' : 'reviewer' };
}
