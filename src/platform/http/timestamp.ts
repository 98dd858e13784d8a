/**
 * Timestamps a client may send: ISO 8601 with a 4-digit year from 0001 to 9999 (what JavaScript, PostgreSQL's
 * timestamptz and every client agree on), a real calendar date, and an offset or `Z` whenever a time is given
 * (a date alone is UTC midnight). Year 0000, negative or expanded years and dates such as February 30 are
 * refused rather than silently shifted.
 */
const ISO_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):?(\d{2})))?$/i;

const DAY_MS = 86_400_000;
const MIN_MS = Date.parse('0001-01-01T00:00:00Z') - DAY_MS;
const MAX_MS = Date.parse('9999-12-31T23:59:59.999Z') + DAY_MS;

function daysInMonth(year: number, month: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0);
  return date.getUTCDate();
}

/** The instant a client's timestamp names, or undefined when it is malformed or outside what can be stored. */
export function parseTimestamp(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const match = ISO_TIMESTAMP.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0, offsetHour = 0, offsetMinute = 0] = match
    .slice(1)
    .map((part) => Number(part ?? 0));
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || offsetHour > 23 || offsetMinute > 59) return undefined;
  const date = new Date(value);
  return isStorableDate(date) ? date : undefined;
}

/** Whether a Date is valid and within years 0001–9999 (with a day's margin for time zones). */
export function isStorableDate(date: Date): boolean {
  const time = date.getTime();
  return Number.isFinite(time) && time >= MIN_MS && time <= MAX_MS;
}
