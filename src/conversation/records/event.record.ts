import type { JsonObject } from '../../platform/json/json.js';

export const EVENT_TYPES = [
  'message',
  'state',
  'status',
  'error',
  'tool_call',
  'tool_result',
  'artifact',
  'revert',
  'reset',
  'compaction',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];
/** Events that edit the effective history (role system); the events they hide stay in the log. */
export const HISTORY_EDIT_TYPES = ['revert', 'reset', 'compaction'] as const satisfies readonly EventType[];
export type HistoryEditType = (typeof HISTORY_EDIT_TYPES)[number];
/** Events that are items of the effective history (GET /history); a compaction is its summary. */
export const HISTORY_ITEM_TYPES = [
  'message',
  'tool_call',
  'tool_result',
  'compaction',
] as const satisfies readonly EventType[];
export const EVENT_ROLES = ['user', 'agent', 'system', 'tool'] as const;
export type EventRole = (typeof EVENT_ROLES)[number];

/** A2A-style message parts. */
export type Part =
  | { kind: 'text'; text: string; metadata?: JsonObject }
  | { kind: 'data'; data: JsonObject; metadata?: JsonObject }
  | { kind: 'file'; file: { name?: string; mimeType?: string; uri?: string; bytes?: string }; metadata?: JsonObject };

export interface Usage {
  promptTokens: number | null;
  completionTokens: number | null;
  model: string | null;
  costUsd: number | null;
}

export interface EventRecord {
  id: string;
  sessionId: string;
  seq: number;
  type: EventType;
  role: EventRole;
  parts: Part[];
  taskId: string | null;
  /** a step's parent event (a tool result's call; a call's preceding message or the trigger); null otherwise */
  parentId: string | null;
  metadata: JsonObject;
  usage: Usage | null;
  createdAt: Date;
  hash: string;
}

/**
 * An event as streams and exports read it: its parts still PostgreSQL's jsonb text, in pieces of about 32 KiB
 * (so no big string is ever built for it), which becomes the API's JSON without being parsed
 * (platform/json/jsonb-text.ts), or is parsed by `streamedParts` where a format needs the text.
 */
export interface StreamedEvent extends Omit<EventRecord, 'parts'> {
  partsText: string[];
}

export function streamedParts(event: StreamedEvent): Part[] {
  return JSON.parse(event.partsText.join('')) as Part[];
}

export interface NewEvent {
  id: string;
  sessionId: string;
  type: EventType;
  role: EventRole;
  parts: Part[];
  taskId?: string | null;
  parentId?: string | null;
  metadata?: JsonObject;
  usage?: Usage | null;
}

/** The text of an event's text parts, joined; what agents and search read. */
export function eventText(parts: Part[]): string {
  return parts
    .filter((part): part is Extract<Part, { kind: 'text' }> => part.kind === 'text')
    .map((part) => part.text)
    .join('\n');
}
