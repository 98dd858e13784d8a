const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const SPACE = 0x20;
const MINUS = 0x2d;

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isNumberChar = (c: number) => isDigit(c) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === MINUS;
/** The longest array index (4294967294) has 10 digits. */
const INDEX_DIGITS = 10;
/** Keys JavaScript puts first in an object, in numeric order, whatever order JSON.parse read them in. */
const isArrayIndex = (key: string) => /^(?:0|[1-9][0-9]*)$/.test(key) && Number(key) < 4294967295;

/**
 * What `JSON.stringify(JSON.parse(text))` gives for `text`, PostgreSQL's output of a jsonb value (whole, or in
 * pieces cut anywhere), as pieces that are mostly slices of it: no parse and no copy, which matters for values
 * of megabytes. jsonb's output differs from JSON.stringify's only by a space after each `,` and `:`, by
 * numbers as stored (`1.50`, `1e400` as digits) and by its key order where JavaScript would move array-index
 * keys (`"0"`, `"12"`) first; strings are escaped alike. Spaces are dropped and numbers rewritten here; a value
 * with an array-index key, which needs the reorder, goes through JSON.parse and JSON.stringify instead.
 */
export function jsonbTextPieces(text: string | readonly string[]): string[] {
  const pieces = typeof text === 'string' ? [text] : text;
  const scanner = new JsonbScanner();
  for (const piece of pieces) {
    if (!scanner.scan(piece)) return [JSON.stringify(JSON.parse(pieces.join('')))];
  }
  return scanner.finish();
}

/** Reads jsonb text piece by piece, keeping the little state a token cut between two pieces needs. */
class JsonbScanner {
  private readonly out: string[] = [];
  private inString = false;
  /** inside a string, the previous piece ended with a backslash that escapes this piece's first character */
  private escaped = false;
  /** the current string's first characters, enough to tell an array index */
  private head = '';
  /** a string just closed that may be an array-index key: the next character (`:`) tells */
  private closed: string | undefined;
  /** a number being read (it may go on in the next piece) */
  private number = '';

  /** false when the value has an array-index key */
  scan(piece: string): boolean {
    let from = 0;
    for (let i = 0; i < piece.length;) {
      if (this.inString) {
        i = this.readString(piece, i);
        continue;
      }
      const c = piece.charCodeAt(i);
      if (this.closed !== undefined) {
        const key = this.closed;
        this.closed = undefined;
        if (c === COLON && isArrayIndex(key)) return false;
      }
      if (this.number !== '') {
        if (isNumberChar(c)) {
          this.number += piece[i++];
          from = i;
          continue;
        }
        this.endNumber();
      }
      if (c === QUOTE) {
        [this.inString, this.head] = [true, ''];
        i++;
      } else if (c === SPACE || c === MINUS || isDigit(c)) {
        if (i > from) this.out.push(piece.slice(from, i));
        if (c !== SPACE) this.number = piece[i];
        from = ++i;
      } else {
        i++;
      }
    }
    if (piece.length > from) this.out.push(from === 0 ? piece : piece.slice(from));
    return true;
  }

  finish(): string[] {
    if (this.inString) throw new SyntaxError('unterminated string in jsonb text');
    if (this.number !== '') this.endNumber();
    return this.out;
  }

  /** Reads a string's characters from `start`: the index after its closing quote, or the piece's end. */
  private readString(piece: string, start: number): number {
    let from = start;
    if (this.escaped) {
      this.escaped = false;
      from++;
    }
    for (let at = piece.indexOf('"', from); ; at = piece.indexOf('"', at + 1)) {
      if (at < 0) {
        this.noteHead(piece, start, piece.length);
        this.escaped = backslashesBefore(piece, piece.length, from) % 2 === 1;
        return piece.length;
      }
      if (backslashesBefore(piece, at, from) % 2 === 0) {
        this.noteHead(piece, start, at);
        this.inString = false;
        if (this.head.length <= INDEX_DIGITS) this.closed = this.head;
        return at + 1;
      }
    }
  }

  private noteHead(piece: string, from: number, to: number): void {
    if (this.head.length <= INDEX_DIGITS) this.head += piece.slice(from, Math.min(to, from + INDEX_DIGITS + 1));
  }

  private endNumber(): void {
    // as JSON.parse reads it and JSON.stringify writes it (digits past a double's precision, 1e400 as null)
    this.out.push(JSON.stringify(Number(this.number)));
    this.number = '';
  }
}

/** How many backslashes come right before `at`, not looking before `floor`. */
function backslashesBefore(text: string, at: number, floor: number): number {
  let count = 0;
  while (at - count - 1 >= floor && text.charCodeAt(at - count - 1) === BACKSLASH) count++;
  return count;
}

/** The one place in a JSON text that `stringifyAround` fills (no stored text can hold U+0000). */
export const JSON_SLOT = '\u0000slot\u0000';
const SLOT_JSON = JSON.stringify(JSON_SLOT);

/** `JSON.stringify(value)` with the JSON_SLOT string in it replaced by `pieces` of JSON text, which are not copied. */
export function stringifyAround(value: unknown, pieces: readonly string[]): string[] {
  const text = JSON.stringify(value);
  const at = text.indexOf(SLOT_JSON);
  if (at < 0 || text.includes(SLOT_JSON, at + 1)) throw new Error('stringifyAround: the value must hold one slot');
  return [text.slice(0, at), ...pieces, text.slice(at + SLOT_JSON.length)];
}
