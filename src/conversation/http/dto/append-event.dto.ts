import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { IsUuid } from '../../../platform/http/uuid.js';
import { BooleanQuery } from '../../../platform/http/validation/query.dto.js';
import type { JsonObject } from '../../../platform/json/json.js';
import { IsJsonObject, IsParts, MAX_PARTS } from '../../../platform/http/validation/json.validators.js';
import type { Part } from '../../records/event.record.js';
import { ApiPartModels, PARTS_SCHEMA } from './part.dto.js';

@ApiPartModels()
export class AppendEventDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'client-chosen id; re-sending the same id and body returns the original (200)',
  })
  @IsOptional()
  @IsUuid()
  id?: string;

  @ApiPropertyOptional({ enum: ['user'], default: 'user' })
  @IsOptional()
  @IsIn(['user'])
  role?: 'user';

  @ApiProperty({
    ...PARTS_SCHEMA,
    minItems: 1,
    maxItems: MAX_PARTS,
    description: 'A2A-style parts',
    example: [{ kind: 'text', text: 'Hello!' }],
  })
  @IsParts()
  parts: Part[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsJsonObject()
  metadata?: JsonObject;
}

export class AppendEventQuery {
  @ApiPropertyOptional({ description: "wait for the agent's answer (201) instead of returning at once (202)" })
  @IsOptional()
  @BooleanQuery()
  wait?: boolean;

  @ApiPropertyOptional({
    description:
      'start a new task even if one waits for input; that task is then canceled instead of answered by this message',
  })
  @IsOptional()
  @BooleanQuery()
  newTask?: boolean;
}
