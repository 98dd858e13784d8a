import { isJsonObject, type JsonObject } from '../../../platform/json/json.js';
import { MAX_INT4 } from '../../../platform/http/pagination.js';
import { partsProblem } from '../../../platform/http/validation/json.validators.js';

/** Checks of a recorded turn's free-form fields; each returns its first problem (a 400 message) or undefined. */

export const MAX_TURN_STEPS = 200;
export const MAX_TURN_ARTIFACTS = 64;

const isId = (value: unknown): boolean => typeof value === 'string' && value.length > 0 && value.length <= 200;
const isCount = (value: unknown): boolean =>
  value === undefined || (Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= MAX_INT4);

function unknownKey(value: JsonObject, allowed: string[], field: string): string | undefined {
  const extra = Object.keys(value).find((key) => !allowed.includes(key));
  return extra === undefined ? undefined : `${field} has an unknown field "${extra}"`;
}

function metadataProblem(value: JsonObject, field: string): string | undefined {
  return value.metadata === undefined || isJsonObject(value.metadata)
    ? undefined
    : `${field}.metadata must be an object`;
}

/** `{ parts, metadata? }` (input) or `{ parts, metadata?, status? }` (output). */
export function messageProblem(field: 'input' | 'output') {
  return (value: unknown): string | undefined => {
    if (!isJsonObject(value)) return `${field} must be an object`;
    const keys = field === 'output' ? ['parts', 'metadata', 'status'] : ['parts', 'metadata'];
    if (
      field === 'output' &&
      value.status !== undefined &&
      value.status !== 'completed' &&
      value.status !== 'input_required'
    )
      return 'output.status must be completed or input_required';
    return (
      unknownKey(value, keys, field) ?? partsProblem(value.parts, `${field}.parts`) ?? metadataProblem(value, field)
    );
  };
}

function stepProblem(step: unknown, field: string): string | undefined {
  if (!isJsonObject(step)) return `${field} must be an object`;
  if (step.kind === 'tool_call') {
    if (!isId(step.callId) || !isId(step.name) || step.arguments === undefined)
      return `${field} must be {kind:"tool_call",callId,name,arguments}`;
    return unknownKey(step, ['kind', 'callId', 'name', 'arguments', 'metadata'], field) ?? metadataProblem(step, field);
  }
  if (step.kind === 'tool_result') {
    if (!isId(step.callId)) return `${field}.callId must be a string of 1..200 characters`;
    if (step.isError !== undefined && typeof step.isError !== 'boolean') return `${field}.isError must be a boolean`;
    return (
      unknownKey(step, ['kind', 'callId', 'output', 'isError', 'metadata'], field) ??
      partsProblem(step.output, `${field}.output`) ??
      metadataProblem(step, field)
    );
  }
  if (step.kind === 'message') {
    return (
      unknownKey(step, ['kind', 'parts', 'metadata'], field) ??
      partsProblem(step.parts, `${field}.parts`) ??
      metadataProblem(step, field)
    );
  }
  return `${field}.kind must be one of tool_call, tool_result, message`;
}

export function stepsProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'steps must be an array';
  if (value.length > MAX_TURN_STEPS) return `steps may hold at most ${MAX_TURN_STEPS} items`;
  return value.map((step, i) => stepProblem(step, `steps[${i}]`)).find(Boolean);
}

function artifactProblem(artifact: unknown, field: string): string | undefined {
  if (!isJsonObject(artifact)) return `${field} must be an object`;
  if (!isId(artifact.artifactId) || !isId(artifact.name)) return `${field} needs an artifactId and a name`;
  if (artifact.description !== undefined && typeof artifact.description !== 'string')
    return `${field}.description must be a string`;
  return (
    unknownKey(artifact, ['artifactId', 'name', 'description', 'parts'], field) ??
    partsProblem(artifact.parts, `${field}.parts`)
  );
}

export function artifactsProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'artifacts must be an array';
  if (value.length > MAX_TURN_ARTIFACTS) return `artifacts may hold at most ${MAX_TURN_ARTIFACTS} items`;
  return value.map((artifact, i) => artifactProblem(artifact, `artifacts[${i}]`)).find(Boolean);
}

/** `{ promptTokens?, completionTokens?, model? }`, as agents report it; the cost comes from MODEL_PRICES. */
export function usageProblem(value: unknown): string | undefined {
  if (!isJsonObject(value)) return 'usage must be an object';
  if (!isCount(value.promptTokens) || !isCount(value.completionTokens))
    return 'usage token counts must be non-negative integers';
  if (value.model !== undefined && !isId(value.model)) return 'usage.model must be a string of 1..200 characters';
  return unknownKey(value, ['promptTokens', 'completionTokens', 'model'], 'usage');
}
