import { ApiProperty } from '@nestjs/swagger';
import type { JsonObject } from '../../../platform/json/json.js';
import {
  EVENT_ROLES,
  EVENT_TYPES,
  type EventRecord,
  type EventRole,
  type EventType,
  type Part,
} from '../../records/event.record.js';

export class UsageDto {
  @ApiProperty({ nullable: true, type: Number }) promptTokens: number | null;
  @ApiProperty({ nullable: true, type: Number }) completionTokens: number | null;
  @ApiProperty({ nullable: true, type: String }) model: string | null;
  @ApiProperty({ nullable: true, type: Number }) costUsd: number | null;
}

export class EventDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) sessionId: string;
  @ApiProperty({ description: '1, 2, 3 … within the session, without gaps' }) seq: number;
  @ApiProperty({ enum: EVENT_TYPES }) type: EventType;
  @ApiProperty({ enum: EVENT_ROLES }) role: EventRole;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } }) parts: Part[];
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) taskId: string | null;
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: "a step's parent: a tool result's call, a call's preceding agent message or the task's trigger",
  })
  parentId: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata: JsonObject;
  @ApiProperty({ type: UsageDto, nullable: true }) usage: UsageDto | null;
  @ApiProperty() createdAt: string;
  @ApiProperty({ description: "SHA-256 link of the session's hash chain (hex)" }) hash: string;
}

export class EventPageDto {
  @ApiProperty({ type: [EventDto] }) data: EventDto[];
  @ApiProperty({ nullable: true, type: Number, description: 'pass as after for the next page; null on the last page' })
  nextAfter: number | null;
}

export function toEventDto(event: EventRecord): EventDto {
  return {
    id: event.id,
    sessionId: event.sessionId,
    seq: event.seq,
    type: event.type,
    role: event.role,
    parts: event.parts,
    taskId: event.taskId,
    parentId: event.parentId,
    metadata: event.metadata,
    usage: event.usage,
    createdAt: event.createdAt.toISOString(),
    hash: event.hash,
  };
}
