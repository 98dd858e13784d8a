import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional, IsString, Length, ValidateIf, ValidateNested, IsObject } from 'class-validator';
import type { JsonObject } from '../../../platform/json/json.js';
import { IsJsonObject } from '../../../platform/http/validation/json.validators.js';
import { SessionWebhookInputDto } from './session-webhook.dto.js';

export class UpdateSessionDto {
  @ApiPropertyOptional({ type: String, nullable: true, description: 'null clears the name' })
  @ValidateIf((_, value) => value !== null)
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'JSON merge patch (RFC 7396) applied to metadata',
  })
  @IsOptional()
  @IsJsonObject()
  metadata?: JsonObject;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'JSON merge patch (RFC 7396) applied to state; recorded as a state event',
  })
  @IsOptional()
  @IsJsonObject()
  state?: JsonObject;

  @ApiPropertyOptional({
    type: SessionWebhookInputDto,
    nullable: true,
    description: "sets the session's webhook (its secret is returned when this creates it); null removes it",
  })
  @ValidateIf((_, value) => value !== null)
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => SessionWebhookInputDto)
  webhook?: SessionWebhookInputDto | null;
}
