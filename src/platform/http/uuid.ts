import { isUUID, registerDecorator, type ValidationOptions } from 'class-validator';

/**
 * The one UUID check of the service: RFC 9562 UUIDs (versions 1–8 and the nil and max UUIDs), as class-validator's
 * `isUUID` decides. Ids the service makes are random (version 4) UUIDs.
 */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && isUUID(value, 'all');
}

/** Body or query field that must be a UUID (by isUuid). */
export function IsUuid(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isUuid',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: `${String(propertyName)} must be a UUID`, ...options },
      validator: { validate: (value: unknown) => isUuid(value) },
    });
}
