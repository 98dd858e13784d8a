import { Inject, Injectable } from '@nestjs/common';
import { Prisma } from '../../generated/prisma/client.js';
import { PrismaService, type PrismaTx } from '../../platform/database/prisma.service.js';
import type { StreamedEvent } from '../records/event.record.js';
import { toStreamedEvent, type EventRow } from './events.repository.js';

/**
 * Bytes of parts text per row: well under a socket read, so the driver never assembles (and grows buffers for)
 * a message of a megabyte, and no string of that size is made. Smaller parts come whole with their event.
 */
const PIECE_BYTES = 32 * 1024;

/** An event's columns but its parts, aliased to EventRow's names, with `metadata` as given. */
const columns = (metadata: string) => `e.id, e.session_id AS "sessionId", e.seq, e.type, e.role,
  e.task_id AS "taskId", ${metadata}, e.model, e.prompt_tokens AS "promptTokens",
  e.completion_tokens AS "completionTokens", e.cost_usd AS "costUsd", e.created_at AS "createdAt", e.hash,
  e.parent_id AS "parentId"`;
/** A page's event columns; its parts as jsonb's text when they fit one piece, else null (read in pieces). */
const PAGE_COLUMNS = Prisma.raw(`${columns('e.metadata')},
  CASE WHEN p.parts_bytes <= ${PIECE_BYTES} THEN e.parts::text END AS "partsText"`);
/** The event's columns on each of its piece rows, its metadata on the first only. */
const PIECE_COLUMNS = Prisma.raw(columns('CASE WHEN c.k = 0 THEN e.metadata END AS metadata'));

/**
 * Piece `k` of each event's parts text. Pieces are cut from the text's UTF-8 bytes (substring of a bytea takes
 * no walk from the start, as substr of a text does) and each cut moves past continuation bytes (10xxxxxx), so
 * no character is split.
 */
const PIECES = Prisma.raw(`convert_from(substring(t.b FROM c.cut + 1 FOR c.next - c.cut), 'UTF8') AS piece
  FROM events e
  CROSS JOIN LATERAL (SELECT convert_to(e.parts::text, 'UTF8') AS b OFFSET 0) t
  CROSS JOIN LATERAL (
    SELECT k, cut, coalesce(lead(cut) OVER (ORDER BY k), octet_length(t.b)) AS next FROM (
      SELECT k, k * ${PIECE_BYTES} + CASE
          WHEN k = 0 OR get_byte(t.b, k * ${PIECE_BYTES}) & 192 <> 128 THEN 0
          WHEN get_byte(t.b, k * ${PIECE_BYTES} + 1) & 192 <> 128 THEN 1
          WHEN get_byte(t.b, k * ${PIECE_BYTES} + 2) & 192 <> 128 THEN 2
          ELSE 3 END AS cut
      FROM generate_series(0, (octet_length(t.b) - 1) / ${PIECE_BYTES}) k
    ) cuts
  ) c`);

type PageRow = Omit<EventRow, 'parts'> & { partsText: string | null; sizedSeq: bigint; bytes: number; scanned: bigint };
type PieceRow = Omit<EventRow, 'parts'> & { piece: string };

export interface BoundedEventPage {
  events: StreamedEvent[];
  /** size of the events' parts and metadata as JSON text */
  bytes: number;
  /** no event follows this page (yet) */
  ended: boolean;
  /** the next event alone is bigger than the page may be: its seq and size (the page is then empty) */
  next?: { seq: number; bytes: number };
}

/** A session's history as streams and exports read it: byte-bounded pages of StreamedEvents. */
@Injectable()
export class StreamedEventsRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaTx) {}

  /**
   * The events after `after` in seq order, at most `maxRows`, as long as their JSON stays within `maxBytes`, so
   * a page of big events stays small in memory. When the next event alone is bigger, only its seq and size come
   * back (`next`) and none of its text is read: the caller decides whether and when to hold it (`eventAt`). Sizes are
   * measured in SQL over at most `maxRows` rows; fewer than that with nothing cut off means the history ends.
   */
  async pageAfter(sessionId: string, after: number, maxRows: number, maxBytes: number): Promise<BoundedEventPage> {
    const rows = await this.prisma.$queryRaw<PageRow[]>`
      SELECT ${PAGE_COLUMNS}, p.seq AS "sizedSeq", p.bytes, p.scanned
      FROM (
        SELECT s.*, count(*) OVER () AS scanned FROM (
          SELECT e.seq, b.parts_bytes, b.parts_bytes + b.metadata_bytes AS bytes,
                 sum(b.parts_bytes + b.metadata_bytes) OVER (ORDER BY e.seq) AS upto
          FROM events e, LATERAL (SELECT octet_length(e.parts::text) AS parts_bytes,
                                         octet_length(e.metadata::text) AS metadata_bytes) b
          WHERE e.session_id = ${sessionId}::uuid AND e.seq > ${after}
          ORDER BY e.seq
          LIMIT ${maxRows}
        ) s
      ) p
      LEFT JOIN events e ON e.session_id = ${sessionId}::uuid AND e.seq = p.seq AND p.upto <= ${maxBytes}
      WHERE p.upto - p.bytes < ${maxBytes}
      ORDER BY p.seq`;
    if (rows.length > 0 && rows[0].id === null) {
      return {
        events: [],
        bytes: 0,
        ended: false,
        next: { seq: Number(rows[0].sizedSeq), bytes: Number(rows[0].bytes) },
      };
    }
    const fitting = rows.filter((row) => row.id !== null);
    const pieces = await this.pieces(
      sessionId,
      fitting.filter((row) => row.partsText === null),
    );
    const events = fitting
      .filter((row) => row.partsText !== null || pieces.has(Number(row.seq)))
      .map((row) => toStreamedEvent(row, row.partsText === null ? pieces.get(Number(row.seq))! : [row.partsText]));
    const scanned = rows.length > 0 ? Number(rows[0].scanned) : 0;
    return {
      events,
      bytes: fitting.reduce((sum, row) => sum + Number(row.bytes), 0),
      ended: scanned < maxRows && fitting.length === scanned,
    };
  }

  /** One event with its parts text in pieces (whatever their size); undefined if it was purged meanwhile. */
  async eventAt(sessionId: string, seq: number): Promise<StreamedEvent | undefined> {
    const rows = await this.pieceRows(sessionId, [seq]);
    return rows.length > 0
      ? toStreamedEvent(
          rows[0],
          rows.map((row) => row.piece),
        )
      : undefined;
  }

  /** The parts text of these (big) events in pieces, by seq; an event purged meanwhile is missing. */
  private async pieces(sessionId: string, rows: PageRow[]): Promise<Map<number, string[]>> {
    const bySeq = new Map<number, string[]>();
    if (rows.length === 0) return bySeq;
    for (const { seq, piece } of await this.pieceRows(
      sessionId,
      rows.map((row) => Number(row.seq)),
    )) {
      const list = bySeq.get(Number(seq)) ?? [];
      if (list.push(piece) === 1) bySeq.set(Number(seq), list);
    }
    return bySeq;
  }

  private pieceRows(sessionId: string, seqs: number[]): Promise<PieceRow[]> {
    return this.prisma.$queryRaw<PieceRow[]>`
      SELECT ${PIECE_COLUMNS}, ${PIECES}
      WHERE e.session_id = ${sessionId}::uuid AND e.seq = ANY(${seqs}::bigint[])
      ORDER BY e.seq, c.k`;
  }
}
