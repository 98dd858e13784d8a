import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import type { JsonObject } from '../../../platform/json/json.js';
import { JSON_SLOT, jsonbTextPieces, stringifyAround } from '../../../platform/json/jsonb-text.js';
import {
  EVENT_ROLES,
  EVENT_TYPES,
  type EventRecord,
  type EventRole,
  type EventType,
  type Part,
  type StreamedEvent,
} from '../../records/event.record.js';
import { ApiPartModels, PARTS_SCHEMA } from './part.dto.js';

export interface UsageDto {
  promptTokens: number | null;
  completionTokens: number | null;
  model: string | null;
  costUsd: number | null;
}

// Inline rather than a $ref: in OpenAPI 3.0 `nullable` beside a $ref (or its allOf) does not admit null.
const USAGE_SCHEMA: ApiPropertyOptions = {
  type: 'object',
  nullable: true,
  selfRequired: true,
  description: "the agent's token use and cost; null on events that are not an agent's answer",
  properties: {
    promptTokens: { type: 'integer', nullable: true },
    completionTokens: { type: 'integer', nullable: true },
    model: { type: 'string', nullable: true },
    costUsd: { type: 'number', nullable: true },
  },
  required: ['promptTokens', 'completionTokens', 'model', 'costUsd'],
};

@ApiPartModels()
export class EventDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) sessionId: string;
  @ApiProperty({ type: 'integer', description: '1, 2, 3 … within the session, without gaps' }) seq: number;
  @ApiProperty({ enum: EVENT_TYPES }) type: EventType;
  @ApiProperty({ enum: EVENT_ROLES }) role: EventRole;
  @ApiProperty(PARTS_SCHEMA) parts: Part[];
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) taskId: string | null;
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: "a step's parent: a tool result's call, a call's preceding agent message or the task's trigger",
  })
  parentId: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata: JsonObject;
  @ApiProperty(USAGE_SCHEMA) usage: UsageDto | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ description: "SHA-256 link of the session's hash chain (hex)" }) hash: string;
}

export class EventPageDto {
  @ApiProperty({ type: [EventDto] }) data: EventDto[];
  @ApiProperty({
    nullable: true,
    type: 'integer',
    description: 'pass as after for the next page; null on the last page',
  })
  nextAfter: number | null;
}

export function toEventDto(event: EventRecord): EventDto {
  return eventDto(event, event.parts);
}

function eventDto(event: Omit<EventRecord, 'parts'>, parts: Part[]): EventDto {
  return {
    id: event.id,
    sessionId: event.sessionId,
    seq: event.seq,
    type: event.type,
    role: event.role,
    parts,
    taskId: event.taskId,
    parentId: event.parentId,
    metadata: event.metadata,
    usage: event.usage,
    createdAt: event.createdAt.toISOString(),
    hash: event.hash,
  };
}

/** Members written before and after the event's own (keys an EventDto does not have): `{...before, ...dto, ...after}`. */
export interface EventJsonExtras {
  before?: object;
  after?: object;
}

/**
 * `JSON.stringify({...before, ...toEventDto(event), ...after})` for an event read as text, in pieces: its parts
 * are spliced in from the stored text, mostly as the very pieces read from the database, instead of being parsed
 * and written again; the extra members are spliced in as text too (spreading objects costs more than the rest).
 */
export function eventJson(event: StreamedEvent, extras: EventJsonExtras = {}): string[] {
  const pieces = stringifyAround(eventDto(event, JSON_SLOT as unknown as Part[]), jsonbTextPieces(event.partsText));
  const [before, after, last] = [members(extras.before), members(extras.after), pieces.length - 1];
  if (before) pieces[0] = `{${before},${pieces[0].slice(1)}`;
  if (after) pieces[last] = `${pieces[last].slice(0, -1)},${after}}`;
  return pieces;
}

/** An object's members as JSON text, without its braces ('' for none). */
const members = (value: object | undefined) => (value ? JSON.stringify(value).slice(1, -1) : '');
