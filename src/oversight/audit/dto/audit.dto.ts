import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min, ValidateIf } from 'class-validator';
import { IsUuid } from '../../../platform/http/uuid.js';
import type { JsonObject } from '../../../platform/json/json.js';
import { LimitQuery } from '../../../platform/http/validation/query.dto.js';
import { SESSION_STATUSES, type SessionStatus } from '../../../conversation/records/session.record.js';
import type { AccessRecord } from '../../../identity/access-log/access-log.record.js';

export class ChainReportDto {
  @ApiProperty({ format: 'uuid' }) sessionId: string;
  @ApiProperty({ description: 'true when every event still matches the hash chain' }) valid: boolean;
  @ApiProperty() eventCount: number;
  @ApiProperty({ description: 'events verified before the first problem (all of them when valid)' }) checked: number;
  @ApiProperty({ nullable: true, type: Number }) firstBrokenSeq: number | null;
  @ApiProperty({ nullable: true, type: String }) reason: string | null;
}

export class StateAtQuery {
  @ApiPropertyOptional({ minimum: 0, description: 'rebuild the state right after this seq (required without scopes)' })
  @ValidateIf((query: StateAtQuery) => query.scopes !== 'all')
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  at?: number;

  @ApiPropertyOptional({
    enum: ['all'],
    description: 'the current state with its user: and app: keys (instead of a replay at a seq)',
  })
  @IsOptional()
  @IsIn(['all'])
  scopes?: 'all';
}

export class ScopedStateDto {
  @ApiProperty({ format: 'uuid' }) sessionId: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'session keys, the user state with this agent as user:<key>, the app state as app:<key>',
  })
  state: JsonObject;
}

export class ReplayedStateDto {
  @ApiProperty({ format: 'uuid' }) sessionId: string;
  @ApiProperty() at: number;
  @ApiProperty({ type: 'object', additionalProperties: true }) state: JsonObject;
  @ApiProperty({ enum: SESSION_STATUSES }) status: SessionStatus;
}

export class AccessLogQuery extends LimitQuery {
  @ApiPropertyOptional({ description: 'only reads by this user id' })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  actorId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUuid()
  sessionId?: string;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @Length(1, 400)
  cursor?: string;
}

export class AccessRecordDto {
  @ApiProperty() id: string;
  @ApiProperty() actorId: string;
  @ApiProperty() actorRole: string;
  @ApiProperty({ nullable: true, type: String }) tokenId: string | null;
  @ApiProperty({ example: 'session.events' }) action: string;
  @ApiProperty({ nullable: true, type: String }) sessionId: string | null;
  @ApiProperty({ nullable: true, type: String }) taskId: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) detail: JsonObject;
  @ApiProperty() createdAt: string;
}

export class AccessLogPageDto {
  @ApiProperty({ type: [AccessRecordDto] }) data: AccessRecordDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export function toAccessRecordDto(record: AccessRecord): AccessRecordDto {
  return { ...record, createdAt: record.createdAt.toISOString() };
}
