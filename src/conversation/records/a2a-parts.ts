import { TaskState, type Part as A2aPart } from '@a2a-js/sdk';
import { isJsonObject, type JsonValue } from '../../platform/json/json.js';
import type { Part } from './event.record.js';

/*
 * Stored parts follow A2A's; these map them to and from @a2a-js/sdk's wire types, for the A2A server and for
 * the `a2a` agent kind alike.
 */

export function isTerminalState(state: TaskState | undefined): boolean {
  return [
    TaskState.TASK_STATE_COMPLETED,
    TaskState.TASK_STATE_FAILED,
    TaskState.TASK_STATE_CANCELED,
    TaskState.TASK_STATE_REJECTED,
  ].some((terminal) => terminal === state);
}

export function toA2aPart(part: Part): A2aPart {
  const metadata = part.metadata;
  if (part.kind === 'text')
    return { content: { $case: 'text', value: part.text }, metadata, filename: '', mediaType: 'text/plain' };
  if (part.kind === 'data')
    return { content: { $case: 'data', value: part.data }, metadata, filename: '', mediaType: 'application/json' };
  const { name = '', mimeType = '', uri, bytes } = part.file;
  const content: A2aPart['content'] =
    uri !== undefined ? { $case: 'url', value: uri } : { $case: 'raw', value: Buffer.from(bytes ?? '', 'base64') };
  return { content, metadata, filename: name, mediaType: mimeType };
}

/** An A2A part as a stored part; undefined when it has no content. Non-object data is wrapped as {value}. */
export function fromA2aPart(part: A2aPart): Part | undefined {
  const metadata = isJsonObject(part.metadata) && Object.keys(part.metadata).length > 0 ? part.metadata : undefined;
  const content = part.content;
  const file = {
    ...(part.filename ? { name: part.filename } : {}),
    ...(part.mediaType ? { mimeType: part.mediaType } : {}),
  };
  let stored: Part | undefined;
  if (content?.$case === 'text') stored = { kind: 'text', text: content.value };
  else if (content?.$case === 'data')
    stored = {
      kind: 'data',
      data: isJsonObject(content.value) ? content.value : { value: (content.value as JsonValue | undefined) ?? null },
    };
  else if (content?.$case === 'url') stored = { kind: 'file', file: { ...file, uri: content.value } };
  else if (content?.$case === 'raw')
    stored = { kind: 'file', file: { ...file, bytes: Buffer.from(content.value).toString('base64') } };
  return stored && metadata ? { ...stored, metadata } : stored;
}
