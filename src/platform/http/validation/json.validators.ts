import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { isJsonObject } from '../../json/json.js';

export const MAX_JSON_DEPTH = 32;

const RAW_JSON_FIELDS = Symbol('rawJsonFields');

/**
 * Marks a body property as free-form JSON that must reach the handler exactly as parsed (see the validation
 * pipe): class-transformer would drop keys named like Object.prototype members from it.
 */
function markRawJson(target: object, propertyName: string): void {
  const owner = target.constructor as { [RAW_JSON_FIELDS]?: string[] };
  const inherited = owner[RAW_JSON_FIELDS] ?? [];
  Object.defineProperty(owner, RAW_JSON_FIELDS, { value: [...inherited, propertyName], configurable: true });
}

/** The free-form JSON properties of a DTO class (its own and inherited ones). */
export function rawJsonFields(metatype: unknown): string[] {
  return typeof metatype === 'function' ? ((metatype as { [RAW_JSON_FIELDS]?: string[] })[RAW_JSON_FIELDS] ?? []) : [];
}
export const MAX_PARTS = 64;

/** Depth of nested objects/arrays; stops counting past the limit so hostile input costs nothing extra. */
export function jsonDepth(value: unknown, limit = MAX_JSON_DEPTH + 1): number {
  if (typeof value !== 'object' || value === null) return 0;
  if (limit <= 0) return 1;
  let deepest = 0;
  for (const child of Object.values(value)) deepest = Math.max(deepest, jsonDepth(child, limit - 1));
  return deepest + 1;
}

/** A JSON object (not array, not null) nested at most MAX_JSON_DEPTH levels. */
export function IsJsonObject(options?: ValidationOptions) {
  return (object: object, propertyName: string) => {
    markRawJson(object, propertyName);
    registerDecorator({
      name: 'isJsonObject',
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) => isJsonObject(value) && jsonDepth(value) <= MAX_JSON_DEPTH,
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property} must be a JSON object nested at most ${MAX_JSON_DEPTH} levels`,
      },
    });
  };
}

function partProblem(part: unknown, index: number): string | undefined {
  if (!isJsonObject(part)) return `parts[${index}] must be an object`;
  const { kind } = part;
  if (part.metadata !== undefined && !isJsonObject(part.metadata)) return `parts[${index}].metadata must be an object`;
  const allowed = new Set(['kind', 'metadata', kind === 'text' ? 'text' : kind === 'data' ? 'data' : 'file']);
  const extra = Object.keys(part).find((key) => !allowed.has(key));
  if (kind === 'text') {
    if (typeof part.text !== 'string') return `parts[${index}].text must be a string`;
  } else if (kind === 'data') {
    if (!isJsonObject(part.data)) return `parts[${index}].data must be an object`;
  } else if (kind === 'file') {
    const file = part.file;
    if (!isJsonObject(file)) return `parts[${index}].file must be an object`;
    if (typeof file.uri !== 'string' && typeof file.bytes !== 'string') {
      return `parts[${index}].file needs a uri or base64 bytes`;
    }
  } else {
    return `parts[${index}].kind must be one of text, data, file`;
  }
  if (extra) return `parts[${index}] has an unknown field "${extra}"`;
  if (jsonDepth(part) > MAX_JSON_DEPTH) return `parts[${index}] is nested too deeply`;
  return undefined;
}

/** A2A-style message parts: 1..MAX_PARTS of {kind:"text",text} | {kind:"data",data} | {kind:"file",file}. */
export function IsParts(options?: ValidationOptions) {
  return (object: object, propertyName: string) => {
    markRawJson(object, propertyName);
    registerDecorator({
      name: 'isParts',
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) =>
          Array.isArray(value) &&
          value.length > 0 &&
          value.length <= MAX_PARTS &&
          value.every((p, i) => !partProblem(p, i)),
        defaultMessage: (args?: ValidationArguments) => {
          const value: unknown = args?.value;
          if (!Array.isArray(value) || value.length === 0) return 'parts must be a non-empty array';
          if (value.length > MAX_PARTS) return `parts may hold at most ${MAX_PARTS} items`;
          return value.map(partProblem).find(Boolean) ?? 'parts are invalid';
        },
      },
    });
  };
}

/** The first problem of a parts array (1..MAX_PARTS valid parts), named after `field`; undefined when valid. */
export function partsProblem(value: unknown, field = 'parts'): string | undefined {
  if (!Array.isArray(value) || value.length === 0) return `${field} must be a non-empty array`;
  if (value.length > MAX_PARTS) return `${field} may hold at most ${MAX_PARTS} items`;
  const problem = value.map(partProblem).find(Boolean);
  return problem && `${field}${problem.slice('parts'.length)}`;
}

/**
 * A free-form JSON body property (kept exactly as parsed, like IsJsonObject) checked by `problem`, which
 * returns the first thing wrong with the value (the 400's message) or undefined when it is valid.
 */
export function IsJsonWhere(problem: (value: unknown) => string | undefined, options?: ValidationOptions) {
  return (object: object, propertyName: string) => {
    markRawJson(object, propertyName);
    registerDecorator({
      name: 'isJsonWhere',
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) => jsonDepth(value) <= MAX_JSON_DEPTH + 1 && problem(value) === undefined,
        defaultMessage: (args?: ValidationArguments) =>
          jsonDepth(args?.value) > MAX_JSON_DEPTH + 1
            ? `${args?.property} is nested too deeply`
            : (problem(args?.value) ?? `${args?.property} is invalid`),
      },
    });
  };
}
/** A JSON array of minItems..maxItems items nested at most MAX_JSON_DEPTH levels, kept exactly as sent. */
export function IsJsonArray(minItems: number, maxItems: number, options?: ValidationOptions) {
  return (object: object, propertyName: string) => {
    markRawJson(object, propertyName);
    registerDecorator({
      name: 'isJsonArray',
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) =>
          Array.isArray(value) &&
          value.length >= minItems &&
          value.length <= maxItems &&
          jsonDepth(value) <= MAX_JSON_DEPTH,
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property} must be an array of ${minItems}-${maxItems} items nested at most ${MAX_JSON_DEPTH} levels`,
      },
    });
  };
}
