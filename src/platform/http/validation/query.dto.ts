import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Max, Min, registerDecorator, type ValidationOptions } from 'class-validator';
import { DEFAULT_PAGE_SIZE, MAX_INT4, MAX_PAGE_SIZE } from '../pagination.js';
import { parseTimestamp } from '../timestamp.js';

/** The error code a failed rule of a query parameter answers with (read by the validation pipe's error factory). */
export const code = (value: string): ValidationOptions => ({ context: { code: value } });

const LIMIT = code('pagination/invalid_limit');
const AFTER = code('pagination/invalid_after');

export class LimitQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt(LIMIT)
  @Min(1, LIMIT)
  @Max(MAX_PAGE_SIZE, LIMIT)
  limit: number = DEFAULT_PAGE_SIZE;
}

/** Pages of a session's sequence: everything strictly after `after`. */
export class AfterSeqQuery extends LimitQuery {
  @ApiPropertyOptional({ minimum: 0, maximum: MAX_INT4, default: 0, description: 'return items after this seq' })
  @IsOptional()
  @Type(() => Number)
  @IsInt(AFTER)
  @Min(0, AFTER)
  @Max(MAX_INT4, AFTER)
  after: number = 0;
}

/** The one boolean query parser: `true`/`1` and `false`/`0`; anything else is left for @IsBoolean to refuse. */
export function parseBooleanQuery({ value }: { value: unknown }): unknown {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return value;
}

/** A boolean query parameter (`true`, `false`, `1`, `0`). */
export function BooleanQuery(): PropertyDecorator {
  return (target, key) => {
    Transform(parseBooleanQuery)(target, key);
    IsBoolean({ message: `${String(key)} must be true or false` })(target, key);
  };
}

/** An ISO 8601 timestamp PostgreSQL can store (years 0001–9999, a real date, an offset with any time). */
export function IsTimestamp(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isTimestamp',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        ...code('request/invalid_date'),
        message: `${String(propertyName)} must be an ISO 8601 date or date-time (years 0001–9999)`,
      },
      validator: { validate: (value: unknown) => parseTimestamp(value) !== undefined },
    });
}
