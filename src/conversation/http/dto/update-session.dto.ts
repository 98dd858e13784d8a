import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, ValidateIf } from 'class-validator';
import type { JsonObject } from '../../../platform/json/json.js';
import { IsJsonObject } from '../../../platform/http/validation/json.validators.js';

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
}
