import { ParseUUIDPipe, ValidationPipe, type ValidationError } from '@nestjs/common';
import { Errors } from '../../errors/domain-error.js';

function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) =>
      message.startsWith('property ') ? message.replace(/^property (\S+) should not exist$/, `unknown field "${path}"`) : message,
    );
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

/** Strict validation: unknown fields and wrong types are 400s with every problem listed. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    exceptionFactory: (errors) => {
      const details = flatten(errors);
      return Errors.badRequest('request/validation_failed', details[0] ?? 'invalid request', details);
    },
  });
}

/** `:id` path parameters must be UUIDs; anything else is a 400 rather than a lookup. */
export const UuidParam = new ParseUUIDPipe({
  exceptionFactory: () => Errors.badRequest('request/invalid_id', 'id must be a UUID'),
});
