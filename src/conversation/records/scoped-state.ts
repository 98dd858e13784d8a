import type { JsonObject } from '../../platform/json/json.js';

/** State key prefixes, as ADK names its scopes: shared per user and agent, per agent, and never stored. */
export const USER_SCOPE = 'user:';
export const APP_SCOPE = 'app:';
export const TEMP_SCOPE = 'temp:';

/** A state patch split by scope; user and app keys without their prefix. */
export interface ScopedPatch {
  session: JsonObject;
  user: JsonObject;
  app: JsonObject;
  /** the patch as recorded in the `state` event: everything but temp: keys */
  recorded: JsonObject;
}

export function splitStatePatch(patch: JsonObject): ScopedPatch {
  const split: ScopedPatch = { session: {}, user: {}, app: {}, recorded: {} };
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(TEMP_SCOPE)) continue;
    split.recorded[key] = value;
    if (key.startsWith(USER_SCOPE)) split.user[key.slice(USER_SCOPE.length)] = value;
    else if (key.startsWith(APP_SCOPE)) split.app[key.slice(APP_SCOPE.length)] = value;
    else split.session[key] = value;
  }
  return split;
}

/** The merged view: session keys as they are, user and app keys with their prefix. */
export function mergedState(session: JsonObject, user: JsonObject, app: JsonObject): JsonObject {
  const merged: JsonObject = { ...session };
  for (const [key, value] of Object.entries(user)) merged[`${USER_SCOPE}${key}`] = value;
  for (const [key, value] of Object.entries(app)) merged[`${APP_SCOPE}${key}`] = value;
  return merged;
}

export const isEmpty = (value: JsonObject): boolean => Object.keys(value).length === 0;
