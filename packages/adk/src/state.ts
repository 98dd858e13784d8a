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

/** Splits a patch into its app: keys and the rest (session and user: keys, which a user token may write). */
export function splitAppKeys(patch: JsonObject): { app: JsonObject; rest: JsonObject } {
  const app: JsonObject = {};
  const rest: JsonObject = {};
  for (const [key, value] of Object.entries(patch)) (key.startsWith(APP_PREFIX) ? app : rest)[key] = value;
  return { app, rest };
}

export function withoutTemp(state: Record<string, unknown> | undefined): JsonObject {
  return mergeDeltas([state]);
}
