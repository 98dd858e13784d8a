import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { errorMessage } from '../../src/platform/errors/error-message.js';
import { parseTimestamp } from '../../src/platform/http/timestamp.js';
import { isUuid } from '../../src/platform/http/uuid.js';
import { parseBooleanQuery } from '../../src/platform/http/validation/query.dto.js';

describe('parseTimestamp', () => {
  it.each([
    ['2024-05-06', '2024-05-06T00:00:00.000Z'],
    ['2024-05-06T07:08:09Z', '2024-05-06T07:08:09.000Z'],
    ['2024-05-06T07:08:09.123456+02:00', '2024-05-06T05:08:09.123Z'],
    ['2024-02-29T00:00Z', '2024-02-29T00:00:00.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
  ])('accepts %s', (text, iso) => {
    expect(parseTimestamp(text)?.toISOString()).toBe(iso);
  });

  it.each([
    '0000-01-01',
    '-000001-01-01T00:00:00Z',
    '+275760-09-13T00:00:00Z',
    '10000-01-01',
    '2023-02-29',
    '2024-02-30',
    '2024-13-01',
    '2024-01-01T24:00:00Z',
    '2024-01-01T10:00:00',
    'yesterday',
    '',
    '2024-1-1',
    '1700000000000',
  ])('refuses %s', (text) => {
    expect(parseTimestamp(text)).toBeUndefined();
  });

  it('refuses non-strings', () => {
    expect(parseTimestamp(1_700_000_000_000)).toBeUndefined();
    expect(parseTimestamp(['2024-01-01'])).toBeUndefined();
  });

  it('round-trips every storable instant (property)', () => {
    const storable = fc.date({
      noInvalidDate: true,
      min: new Date('0001-01-01T00:00:00Z'),
      max: new Date('9999-12-31T23:59:59.999Z'),
    });
    fc.assert(
      fc.property(storable, (date) => expect(parseTimestamp(date.toISOString())?.getTime()).toBe(date.getTime())),
    );
  });
});

describe('isUuid', () => {
  it('accepts RFC UUIDs in either case and the nil UUID', () => {
    const id = randomUUID();
    expect(isUuid(id)).toBe(true);
    expect(isUuid(id.toUpperCase())).toBe(true);
    expect(isUuid('00000000-0000-0000-0000-000000000000')).toBe(true);
  });

  it('refuses anything else', () => {
    for (const value of ['', 'abc', `${randomUUID()}x`, '12345678-1234-1234-1234-123456789012', 42, null, undefined]) {
      expect(isUuid(value)).toBe(false);
    }
  });
});

describe('parseBooleanQuery', () => {
  it('reads true/1 and false/0, and leaves anything else for validation to refuse', () => {
    expect(['true', '1', 'false', '0'].map((value) => parseBooleanQuery({ value }))).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(parseBooleanQuery({ value: 'yes' })).toBe('yes');
    expect(parseBooleanQuery({ value: ['true'] })).toEqual(['true']);
  });
});

describe('errorMessage', () => {
  it("gives an error's message or the text of anything else thrown", () => {
    expect(errorMessage(new TypeError('boom'))).toBe('boom');
    expect(errorMessage('plain')).toBe('plain');
    expect(errorMessage(42)).toBe('42');
    expect(errorMessage(undefined)).toBe('undefined');
  });
});
