import type { JsonObject } from '@agent-session/client';

export const APP_PREFIX = 'app:';
export const TEMP_PREFIX = 'temp:';

/** The invocation's state deltas merged in order, without temp: keys (ADK never persists them). */
export function mergeDeltas(deltas: Array<Record<string, unknown> | undefined>): JsonObject {
  const merged: JsonObject = {};
  for (const delta of deltas) {
    for (const [key, value] of Object.entries(delta ?? {})) if (!key.startsWith(TEMP_PREFIX)) merged[key] = value;
  }
  return merged;
}

export function hasAppKeys(patch: JsonObject): boolean {
  return Object.keys(patch).some((key) => key.startsWith(APP_PREFIX));
}

export function withoutTemp(state: Record<string, unknown> | undefined): JsonObject {
  return mergeDeltas([state]);
}
