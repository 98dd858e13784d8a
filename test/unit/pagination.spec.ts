import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { DomainError } from '../../src/platform/errors/domain-error.js';
import { cursorCodec, decodeCursor, encodeCursor, fetchPage, splitPage } from '../../src/platform/http/pagination.js';

const encodeRaw = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function expectInvalidCursor(cursor: string): void {
  let caught: unknown;
  try {
    decodeCursor(cursor);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(DomainError);
  expect((caught as DomainError).status).toBe(400);
  expect((caught as DomainError).code).toBe('pagination/invalid_cursor');
}

describe('encodeCursor / decodeCursor', () => {
  it('round-trips a position', () => {
    const position = { createdAt: new Date('2024-05-06T07:08:09.123Z'), id: randomUUID() };
    const decoded = decodeCursor(encodeCursor(position));
    expect(decoded.id).toBe(position.id);
    expect(decoded.createdAt).toBeInstanceOf(Date);
    expect(decoded.createdAt.toISOString()).toBe('2024-05-06T07:08:09.123Z');
  });

  it('produces URL-safe text', () => {
    const cursor = encodeCursor({ createdAt: new Date(), id: randomUUID() });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('round-trips any valid date and uuid (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ noInvalidDate: true, min: new Date('0001-01-01'), max: new Date('9999-12-31T23:59:59.999Z') }),
        fc.uuid(),
        (createdAt, id) => {
          const decoded = decodeCursor(encodeCursor({ createdAt, id }));
          expect(decoded.createdAt.getTime()).toBe(createdAt.getTime());
          expect(decoded.id).toBe(id);
        },
      ),
    );
  });

  it('accepts upper-case uuids', () => {
    const id = randomUUID().toUpperCase();
    expect(decodeCursor(encodeRaw(['2024-01-01T00:00:00.000Z', id])).id).toBe(id);
  });

  it.each([
    ['an empty string', ''],
    ['garbage', '!!!not-a-cursor!!!'],
    ['base64 of non-JSON', Buffer.from('hello world').toString('base64url')],
    ['JSON null', encodeRaw(null)],
    ['a JSON number', encodeRaw(42)],
    ['an empty array', encodeRaw([])],
  ])('rejects %s', (_label, cursor) => {
    expectInvalidCursor(cursor);
  });

  it('rejects an id that is not a uuid', () => {
    expectInvalidCursor(encodeRaw(['2024-01-01T00:00:00.000Z', 'not-a-uuid']));
    expectInvalidCursor(encodeRaw(['2024-01-01T00:00:00.000Z', 123]));
    expectInvalidCursor(encodeRaw(['2024-01-01T00:00:00.000Z', `${randomUUID()}x`]));
  });

  it('rejects a bad date', () => {
    expectInvalidCursor(encodeRaw(['not a date', randomUUID()]));
    expectInvalidCursor(encodeRaw(['2024-13-45T99:99:99Z', randomUUID()]));
    expectInvalidCursor(encodeRaw([1700000000000, randomUUID()]));
    expectInvalidCursor(encodeRaw([null, randomUUID()]));
  });

  it('rejects dates PostgreSQL cannot store or that do not exist', () => {
    for (const iso of [
      '0000-01-01T00:00:00.000Z',
      '-000010-01-01T00:00:00.000Z',
      '+010000-01-01T00:00:00.000Z',
      '2023-02-29T00:00:00.000Z',
    ]) {
      expectInvalidCursor(encodeRaw([iso, randomUUID()]));
    }
  });

  it('rejects extra or missing fields', () => {
    expectInvalidCursor(encodeRaw(['2024-01-01T00:00:00.000Z', randomUUID(), 1]));
    expectInvalidCursor(encodeRaw(['2024-01-01T00:00:00.000Z']));
  });

  it('never throws anything but the invalid-cursor error on arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          decodeCursor(text);
        } catch (error) {
          expect(error).toBeInstanceOf(DomainError);
          expect((error as DomainError).code).toBe('pagination/invalid_cursor');
        }
      }),
    );
  });
});

describe('splitPage', () => {
  it('reports more rows when the fetch returned limit + 1', () => {
    expect(splitPage([1, 2, 3, 4], 3)).toEqual({ page: [1, 2, 3], hasMore: true });
  });

  it('reports no more rows when exactly limit rows came back', () => {
    expect(splitPage([1, 2, 3], 3)).toEqual({ page: [1, 2, 3], hasMore: false });
  });

  it('handles short and empty pages', () => {
    expect(splitPage([1], 3)).toEqual({ page: [1], hasMore: false });
    expect(splitPage([], 3)).toEqual({ page: [], hasMore: false });
  });

  it('does not mutate the input', () => {
    const rows = [1, 2, 3];
    splitPage(rows, 1);
    expect(rows).toEqual([1, 2, 3]);
  });
});

describe('cursorCodec', () => {
  const bigintCursor = cursorCodec({ id: 'bigint' });
  const intCursor = cursorCodec({ seq: 'int', id: 'uuid' });

  it('round-trips bigint and int positions', () => {
    expect(bigintCursor.decode(bigintCursor.encode({ id: 9_223_372_036_854_775_807n })).id).toBe(
      9_223_372_036_854_775_807n,
    );
    const id = randomUUID();
    expect(intCursor.decode(intCursor.encode({ seq: 2_147_483_647, id }))).toEqual({ seq: 2_147_483_647, id });
  });

  it('rejects numbers beyond the column range or of the wrong kind', () => {
    for (const raw of [['9223372036854775808'], ['99999999999999999999'], ['-1'], ['1.5'], [12], [null]]) {
      expect(() => bigintCursor.decode(encodeRaw(raw))).toThrow(DomainError);
    }
    for (const seq of [2_147_483_648, -1, 1.5, '7', Number.MAX_SAFE_INTEGER + 2]) {
      expect(() => intCursor.decode(encodeRaw([seq, randomUUID()]))).toThrow(DomainError);
    }
  });

  it('refuses anything but base64url text of bounded length', () => {
    expect(() => bigintCursor.decode('a'.repeat(401))).toThrow(DomainError);
    expect(() => bigintCursor.decode('MTI=')).toThrow(DomainError);
  });
});

describe('fetchPage', () => {
  it('asks for one row more than the page and reports where the next page starts', async () => {
    const asked: number[] = [];
    const page = await fetchPage(
      2,
      async (take) => (asked.push(take), [1, 2, 3]),
      (last) => `after-${last}`,
    );
    expect(asked).toEqual([3]);
    expect(page).toEqual({ data: [1, 2], next: 'after-2' });
  });

  it('has no next position on the last page', async () => {
    expect(
      await fetchPage(
        3,
        async () => [1, 2, 3],
        (last) => last,
      ),
    ).toEqual({ data: [1, 2, 3], next: null });
    expect(
      await fetchPage(
        3,
        async () => [],
        (last) => last,
      ),
    ).toEqual({ data: [], next: null });
  });
});
