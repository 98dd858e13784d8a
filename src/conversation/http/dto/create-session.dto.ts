import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min, ValidateNested, IsObject } from 'class-validator';
import { IsUuid } from '../../../platform/http/uuid.js';
import type { JsonObject } from '../../../platform/json/json.js';
import { IsJsonObject } from '../../../platform/http/validation/json.validators.js';
import { SessionWebhookInputDto } from './session-webhook.dto.js';

export const MAX_TTL_SECONDS = 365 * 24 * 3600;

export class CreateSessionDto {
  @ApiProperty({ example: 'echo', description: 'id of a configured agent' })
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,63}$/, { message: 'agentId must be a configured agent id' })
  agentId: string;

  @ApiPropertyOptional({ example: 'Order #1234' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsJsonObject()
  metadata?: JsonObject;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'initial session state' })
  @IsOptional()
  @IsJsonObject()
  state?: JsonObject;

  @ApiPropertyOptional({
    format: 'uuid',
    description: "makes this a child session; the child belongs to the parent's owner",
  })
  @IsOptional()
  @IsUuid()
  parentId?: string;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_TTL_SECONDS,
    description: 'the session expires this many seconds after creation',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_TTL_SECONDS)
  ttlSeconds?: number;
}

/** POST /v1/sessions: a session, optionally with its webhook (written in the same transaction). */
export class OpenSessionDto extends CreateSessionDto {
  @ApiPropertyOptional({
    type: SessionWebhookInputDto,
    description: "the session's webhook; the response then carries its signing secret (once)",
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => SessionWebhookInputDto)
  webhook?: SessionWebhookInputDto;
}

export const SESSION_KEY_PATTERN = /^[A-Za-z0-9._:@-]{1,200}$/;

export class SessionKeyParam {
  @ApiProperty({ pattern: SESSION_KEY_PATTERN.source, description: "the client's key, unique per user" })
  @IsString()
  @Matches(SESSION_KEY_PATTERN, { message: 'key must be 1..200 of A-Z a-z 0-9 . _ : @ -' })
  key: string;
}
