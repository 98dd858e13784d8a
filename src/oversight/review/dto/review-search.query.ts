import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Length, Matches } from 'class-validator';
import { ListSessionsQuery } from '../../../conversation/http/dto/list-sessions.query.js';
import { BooleanQuery, IsTimestamp } from '../../../platform/http/validation/query.dto.js';

/** Repeated query parameters arrive as arrays, single ones as strings. */
const toList = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? [value] : value);

/** The session list's filters (agentId, status, limit, cursor) across users, and more. */
export class ReviewSearchQuery extends ListSessionsQuery {
  @ApiPropertyOptional({
    description:
      'finds sessions by id (a whole UUID), name (any part, 3+ characters), a metadata value (the whole value, ' +
      'any key, any case), and full text of events and annotations (web-search syntax: words, "phrases", -exclusions, or)',
  })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  q?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 128)
  userId?: string;

  @ApiPropertyOptional({ description: 'only sessions with (true) or without (false) failed tasks' })
  @IsOptional()
  @BooleanQuery()
  hasFailedTasks?: boolean;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsTimestamp()
  createdFrom?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsTimestamp()
  createdTo?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'last activity at or after' })
  @IsOptional()
  @IsTimestamp()
  activeFrom?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'last activity before' })
  @IsOptional()
  @IsTimestamp()
  activeTo?: string;

  @ApiPropertyOptional({ description: 'only sessions with an annotation carrying this label' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  label?: string;

  @ApiPropertyOptional({
    type: [String],
    description: 'key:value (repeatable, all must hold): metadata whose top-level key has this value',
    example: ['customer:C-1009'],
  })
  @IsOptional()
  @Transform(toList)
  @IsArray()
  @ArrayMaxSize(5)
  @IsString({ each: true })
  @Matches(/^[^:]{1,128}:[\s\S]{1,500}$/, { each: true, message: 'each metadata filter must be key:value' })
  metadata?: string[];
}
