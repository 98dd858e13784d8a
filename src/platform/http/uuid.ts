import { isUUID } from 'class-validator';

/**
 * The one UUID check of the service: RFC 9562 UUIDs (versions 1–8 and the nil and max UUIDs), as class-validator's
 * `isUUID` decides. Ids the service makes are random (version 4) UUIDs.
 */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && isUUID(value, 'all');
}
