import fc from 'fast-check';
import { JSON_SLOT, jsonbTextPieces, stringifyAround } from '../../src/platform/json/jsonb-text.js';

/** A number as a client spelled it, which jsonb keeps. */
class Spelled {
  constructor(readonly text: string) {}
}
type Value = string | boolean | null | Spelled | Value[] | { [key: string]: Value };

/** jsonb stores an object's keys shortest first, then by their bytes. */
const jsonbKeyOrder = (a: string, b: string) =>
  Buffer.byteLength(a) - Buffer.byteLength(b) || Buffer.compare(Buffer.from(a), Buffer.from(b));

/** PostgreSQL's jsonb output: keys in its order, `, ` and `: ` between tokens, numbers as spelled, strings as JSON. */
function jsonbText(value: Value): string {
  if (value instanceof Spelled) return value.text;
  if (Array.isArray(value)) return `[${value.map(jsonbText).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .sort(([a], [b]) => jsonbKeyOrder(a, b))
      .map(([k, v]) => `${JSON.stringify(k)}: ${jsonbText(v)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}

const char = fc.constantFrom('a', ' ', '"', '\\', '\n', '\u0001', ':', ',', '1', '-', 'e', 'é', '😀');
const text = fc.string({ unit: char, maxLength: 14 });
const number = fc.oneof(
  fc.constantFrom('0', '-0', '1.50', '1e2', '1E-7', '1e400', '123456789012345678901234567890', '4294967295'),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => n.toPrecision(8)),
);
const key = fc.oneof(text, fc.constantFrom('0', '12', '01', '4294967294', '4294967295', '12345678901', '-1'));
const value: fc.Arbitrary<Value> = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.boolean(),
    fc.constant(null),
    number.map((n) => new Spelled(n)),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** `text` cut at these positions (as a database may cut it). */
function cut(whole: string, at: number[]): string[] {
  const points = [...new Set(at.map((p) => p % (whole.length + 1)))].sort((a, b) => a - b);
  return [0, ...points]
    .map((from, i) => whole.slice(from, i < points.length ? points[i] : whole.length))
    .filter((piece) => piece.length > 0);
}

describe('jsonbTextPieces', () => {
  it('gives what JSON.stringify(JSON.parse(text)) gives, however the text is cut', () => {
    fc.assert(
      fc.property(value, fc.array(fc.nat(), { maxLength: 6 }), (v, at) => {
        const whole = jsonbText(v);
        expect(jsonbTextPieces(cut(whole, at)).join('')).toBe(JSON.stringify(JSON.parse(whole)));
      }),
      { numRuns: 2_000 },
    );
  });

  it('keeps a big string as slices of the text it was given', () => {
    const big = 'x'.repeat(100_000);
    const pieces = jsonbTextPieces(`[{"kind": "text", "text": "${big}"}]`);
    expect(pieces.join('')).toBe(`[{"kind":"text","text":"${big}"}]`);
    expect(pieces.length).toBeLessThan(6);
  });

  it('splices JSON text into a value where its slot is', () => {
    expect(stringifyAround({ a: 1, b: JSON_SLOT, c: [2] }, ['[', '1', ']']).join('')).toBe('{"a":1,"b":[1],"c":[2]}');
    expect(() => stringifyAround({ a: 1 }, ['1'])).toThrow(/one slot/);
  });
});
