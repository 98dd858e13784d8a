import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsUUID } from 'class-validator';
import type { JsonObject } from '../../../platform/json/json.js';
import { IsJsonObject, IsParts } from '../../../platform/http/validation/json.validators.js';
import type { Part } from '../../records/event.record.js';

export class AppendEventDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'client-chosen id; re-sending the same id and body returns the original (200)' })
  @IsOptional() @IsUUID()
  id?: string;

  @ApiPropertyOptional({ enum: ['user'], default: 'user' })
  @IsOptional() @IsIn(['user'])
  role?: 'user';

  @ApiProperty({
    description: 'A2A-style parts',
    example: [{ kind: 'text', text: 'Hello!' }],
    type: 'array',
    items: { type: 'object', additionalProperties: true },
  })
  @IsParts()
  parts: Part[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional() @IsJsonObject()
  metadata?: JsonObject;
}

export class AppendEventQuery {
  @ApiPropertyOptional({ description: 'wait for the agent\'s answer (201) instead of returning at once (202)' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value))
  @IsBoolean()
  wait?: boolean;
}
