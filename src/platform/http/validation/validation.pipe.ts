import { ValidationPipe, type ArgumentMetadata, type PipeTransform, type ValidationError } from '@nestjs/common';
import type { ValidatorOptions } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { Errors } from '../../errors/domain-error.js';
import { isJsonObject } from '../../json/json.js';
import { isUuid } from '../uuid.js';
import { rawJsonFields } from './json.validators.js';

function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) =>
      message.startsWith('property ')
        ? message.replace(/^property (\S+) should not exist$/, `unknown field "${path}"`)
        : message,
    );
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

/** The code of the first failed rule that names one (`code()` in query.dto.ts), else the generic one. */
function codeOf(errors: ValidationError[]): string {
  for (const error of errors) {
    const contexts = Object.values(error.contexts ?? {}) as { code?: unknown }[];
    const named = contexts.find((context) => typeof context?.code === 'string');
    if (named) return named.code as string;
  }
  return 'request/validation_failed';
}

/**
 * Nest's ValidationPipe, except that free-form JSON fields (`parts`, `metadata`, `state`: see rawJsonFields)
 * bypass class-transformer and the pipe's prototype-key stripping, which would drop keys such as `toString`,
 * `constructor` or `__proto__` that a client may legitimately send and that the hash chain must keep. Each such
 * field is parked under a one-time token while the rest of the body is transformed, and put back, as parsed,
 * before validation, so the validators and the handler see exactly what the client sent.
 */
class JsonPreservingValidationPipe extends ValidationPipe {
  private readonly parked = new Map<string, unknown>();
  private readonly tokenPrefix = `\u0000json:${randomUUID()}:`;
  private nextToken = 0;

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const fields = metadata.type === 'body' ? rawJsonFields(metadata.metatype) : [];
    if (fields.length === 0 || !isJsonObject(value)) return super.transform(value, metadata);
    const stand: Record<string, unknown> = { ...value };
    const tokens: string[] = [];
    for (const field of fields.filter((name) => Object.hasOwn(value, name))) {
      const token = `${this.tokenPrefix}${this.nextToken++}`;
      this.parked.set(token, value[field]);
      stand[field] = token;
      tokens.push(token);
    }
    try {
      return await super.transform(stand, metadata);
    } finally {
      for (const token of tokens) this.parked.delete(token);
    }
  }

  protected override validate(object: object, options?: ValidatorOptions) {
    const entity = object as Record<string, unknown>;
    for (const key of Object.keys(entity)) {
      const value = entity[key];
      if (typeof value === 'string' && this.parked.has(value)) entity[key] = this.parked.get(value);
    }
    return super.validate(object, options);
  }
}

/** Strict validation: unknown fields and wrong types are 400s with every problem listed. */
export function createValidationPipe(): ValidationPipe {
  return new JsonPreservingValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    exceptionFactory: (errors) => {
      const details = flatten(errors);
      return Errors.badRequest(codeOf(errors), details[0] ?? 'invalid request', details);
    },
  });
}

/** `:id` path parameters must be UUIDs (the one check in uuid.ts); anything else is a 400 rather than a lookup. */
export const UuidParam: PipeTransform<unknown, string> = {
  transform: (value) => {
    if (!isUuid(value)) throw Errors.badRequest('request/invalid_id', 'id must be a UUID');
    return value;
  },
};
