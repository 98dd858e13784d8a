import { Errors } from '../errors/domain-error.js';
import { parseTimestamp } from './timestamp.js';
import { isUuid } from './uuid.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
/** Largest value of a PostgreSQL `integer` (seq, trigger_seq, counters). */
export const MAX_INT4 = 2_147_483_647;
/** Largest value of a PostgreSQL `bigint` (access_log.id). */
export const MAX_INT8 = 9_223_372_036_854_775_807n;

/** What one field of a keyset position is, and so how it is written into and checked when read from a cursor. */
export interface CursorFieldTypes {
  timestamp: Date;
  uuid: string;
  int: number;
  bigint: bigint;
}
export type CursorSchema = Record<string, keyof CursorFieldTypes>;
export type CursorPosition<S extends CursorSchema> = { [K in keyof S]: CursorFieldTypes[S[K]] };

export interface CursorCodec<P> {
  encode(position: P): string;
  /** The position a cursor holds; a 400 `pagination/invalid_cursor` DomainError for anything malformed. */
  decode(cursor: string): P;
}

const encoders: { [K in keyof CursorFieldTypes]: (value: CursorFieldTypes[K]) => string | number } = {
  timestamp: (value) => value.toISOString(),
  uuid: (value) => value,
  int: (value) => value,
  bigint: (value) => value.toString(),
};

const decoders: { [K in keyof CursorFieldTypes]: (value: unknown) => CursorFieldTypes[K] | undefined } = {
  timestamp: (value) => parseTimestamp(value),
  uuid: (value) => (isUuid(value) ? value : undefined),
  int: (value) =>
    Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= MAX_INT4
      ? (value as number)
      : undefined,
  bigint: (value) =>
    typeof value === 'string' && /^\d{1,19}$/.test(value) && BigInt(value) <= MAX_INT8 ? BigInt(value) : undefined,
};

/**
 * An opaque cursor for a keyset position: base64url of a JSON array of the fields in the schema's order.
 * Decoding checks every field against what its column can hold (a PostgreSQL timestamp, uuid, integer or
 * bigint), so a forged cursor is a 400 and never reaches the database.
 */
export function cursorCodec<S extends CursorSchema>(schema: S): CursorCodec<CursorPosition<S>> {
  const fields = Object.entries(schema) as [keyof S & string, keyof CursorFieldTypes][];
  return {
    encode: (position) => {
      const values = fields.map(([name, type]) =>
        (encoders[type] as (value: unknown) => string | number)(position[name]),
      );
      return Buffer.from(JSON.stringify(values)).toString('base64url');
    },
    decode: (cursor) => {
      const values = parseCursor(cursor);
      if (!values || values.length !== fields.length) throw Errors.invalidCursor();
      const position: Record<string, unknown> = {};
      fields.forEach(([name, type], index) => {
        const value = decoders[type](values[index]);
        if (value === undefined) throw Errors.invalidCursor();
        position[name] = value;
      });
      return position as CursorPosition<S>;
    },
  };
}

function parseCursor(cursor: string): unknown[] | undefined {
  if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) return undefined;
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(values) ? values : undefined;
  } catch {
    return undefined;
  }
}

/** Newest-first lists ordered by (createdAt, id): sessions, children, review search. */
export const keysetCursor = cursorCodec({ createdAt: 'timestamp', id: 'uuid' });
export type KeysetPosition = CursorPosition<{ createdAt: 'timestamp'; id: 'uuid' }>;
export const encodeCursor = (position: KeysetPosition): string => keysetCursor.encode(position);
export const decodeCursor = (cursor: string): KeysetPosition => keysetCursor.decode(cursor);

export interface Page<T, N> {
  data: T[];
  /** where the next page starts; null on the last page */
  next: N | null;
}

/**
 * One page of a list: fetches `limit + 1` rows, returns `limit` of them and, when there were more, where the
 * next page starts (computed from the page's last row).
 */
export async function fetchPage<T, N>(
  limit: number,
  fetch: (take: number) => Promise<T[]>,
  nextOf: (last: T) => N,
): Promise<Page<T, N>> {
  const rows = await fetch(limit + 1);
  const { page, hasMore } = splitPage(rows, limit);
  const last = page.at(-1);
  return { data: page, next: hasMore && last !== undefined ? nextOf(last) : null };
}

/** Splits a page fetched with limit + 1 rows into the page and whether more exist. */
export function splitPage<T>(rows: T[], limit: number): { page: T[]; hasMore: boolean } {
  return { page: rows.slice(0, limit), hasMore: rows.length > limit };
}
