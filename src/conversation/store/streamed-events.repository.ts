import { Inject, Injectable } from '@nestjs/common';
import { Prisma } from '../../generated/prisma/client.js';
import { PrismaService, type PrismaTx } from '../../platform/database/prisma.service.js';
import type { StreamedEvent } from '../records/event.record.js';
import { toEventRecord, type EventRow } from './events.repository.js';

/**
 * Bytes of parts text per row: well under a socket read, so the driver never assembles (and grows buffers for)
 * a message of a megabyte, and no string of that size is made.
 */
const PIECE_BYTES = 32 * 1024;

/**
 * An event's columns on each of its rows, its metadata on the first only, and piece `k` of its parts' jsonb
 * text. Pieces are cut from the text's UTF-8 bytes (substring of bytea takes no walk from the start, as
 * substr of text does) and each cut moves past continuation bytes (10xxxxxx), so no character is split.
 */
const PIECE_COLUMNS = Prisma.raw(`e.id, e.session_id AS "sessionId", e.seq, e.type, e.role, e.task_id AS "taskId",
  CASE WHEN c.k = 0 THEN e.metadata END AS metadata, e.model, e.prompt_tokens AS "promptTokens",
  e.completion_tokens AS "completionTokens", e.cost_usd AS "costUsd", e.created_at AS "createdAt", e.hash,
  e.parent_id AS "parentId", convert_from(substring(t.b FROM c.cut + 1 FOR c.next - c.cut), 'UTF8') AS piece`);
const PIECE_CUTS = Prisma.raw(`
  SELECT k, cut, coalesce(lead(cut) OVER (ORDER BY k), octet_length(t.b)) AS next FROM (
    SELECT k, k * ${PIECE_BYTES} + CASE
        WHEN k = 0 OR get_byte(t.b, k * ${PIECE_BYTES}) & 192 <> 128 THEN 0
        WHEN get_byte(t.b, k * ${PIECE_BYTES} + 1) & 192 <> 128 THEN 1
        WHEN get_byte(t.b, k * ${PIECE_BYTES} + 2) & 192 <> 128 THEN 2
        ELSE 3 END AS cut
    FROM generate_series(0, (octet_length(t.b) - 1) / ${PIECE_BYTES}) k
  ) cuts`);

type PieceRow = Omit<EventRow, 'parts'> & { piece: string; bytes: number; scanned: bigint };

export interface BoundedEventPage {
  events: StreamedEvent[];
  /** size of the events' parts and metadata as JSON text */
  bytes: number;
  /** no event follows this page (yet) */
  ended: boolean;
  /** the next event alone is bigger than the page may be: its size (the page is then empty) */
  nextBytes?: number;
}

/** A session's history as streams and exports read it: byte-bounded pages of StreamedEvents. */
@Injectable()
export class StreamedEventsRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaTx) {}

  /**
   * The events after `after` in seq order, at most `maxRows`, as long as their JSON stays within `maxBytes`, so
   * a page of big events stays small in memory. When the next event alone is bigger, only its size comes back
   * (`nextBytes`) and none of its text is read: the caller decides whether and when to hold it. Sizes are
   * measured in SQL over at most `maxRows` rows; fewer than that with nothing cut off means the history ends.
   */
  async pageAfter(sessionId: string, after: number, maxRows: number, maxBytes: number): Promise<BoundedEventPage> {
    const rows = await this.prisma.$queryRaw<PieceRow[]>`
      SELECT ${PIECE_COLUMNS}, p.bytes, p.scanned
      FROM (
        SELECT s.*, count(*) OVER () AS scanned FROM (
          SELECT e.seq, b.bytes, sum(b.bytes) OVER (ORDER BY e.seq) AS upto
          FROM events e, LATERAL (SELECT octet_length(e.parts::text) + octet_length(e.metadata::text) AS bytes) b
          WHERE e.session_id = ${sessionId}::uuid AND e.seq > ${after}
          ORDER BY e.seq
          LIMIT ${maxRows}
        ) s
      ) p
      LEFT JOIN events e ON e.session_id = ${sessionId}::uuid AND e.seq = p.seq AND p.upto <= ${maxBytes}
      LEFT JOIN LATERAL (SELECT convert_to(e.parts::text, 'UTF8') AS b OFFSET 0) t ON true
      LEFT JOIN LATERAL (${PIECE_CUTS}) c ON true
      WHERE p.upto - p.bytes < ${maxBytes}
      ORDER BY p.seq, c.k`;
    if (rows.length > 0 && rows[0].id === null) {
      return { events: [], bytes: 0, ended: false, nextBytes: Number(rows[0].bytes) };
    }
    const page: BoundedEventPage = { events: [], bytes: 0, ended: false };
    for (let i = 0; i < rows.length && rows[i].id !== null;) {
      const first = rows[i];
      const pieces: string[] = [];
      for (; i < rows.length && rows[i].seq === first.seq; i++) pieces.push(rows[i].piece);
      page.events.push(toStreamedEvent(first, pieces));
      page.bytes += Number(first.bytes);
    }
    const scanned = rows.length > 0 ? Number(rows[0].scanned) : 0;
    page.ended = scanned < maxRows && page.events.length === scanned;
    return page;
  }
}

function toStreamedEvent(row: PieceRow, partsText: string[]): StreamedEvent {
  const { parts: _parts, ...event } = toEventRecord({ ...row, parts: null });
  return { ...event, partsText };
}
