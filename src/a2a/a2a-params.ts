import { RequestMalformedError } from '@a2a-js/sdk/errors';

/** historyLength, when given, is a count: a negative or fractional one is invalid params (-32602), not "none". */
export function checkHistoryLength(value: number | undefined): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 0)
    throw new RequestMalformedError('historyLength must be a non-negative integer');
}

const RFC_3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * A timestamp as A2A writes them (RFC 3339, four-digit year), or undefined. JavaScript alone would also take
 * "-1" or year -271821, which PostgreSQL cannot store; four-digit years always fit.
 */
export function parseTimestamp(value: string): Date | undefined {
  if (!RFC_3339.test(value)) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function requireTimestamp(value: string, name: string): Date {
  const date = parseTimestamp(value);
  if (!date) throw new RequestMalformedError(`${name} must be an RFC 3339 timestamp such as 2026-01-31T12:00:00Z`);
  return date;
}
