import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { ListSessionsQuery } from '../../../conversation/http/dto/list-sessions.query.js';
import { BooleanQuery, IsTimestamp } from '../../../platform/http/validation/query.dto.js';

/** The session list's filters (agentId, status, limit, cursor) across users, and more. */
export class ReviewSearchQuery extends ListSessionsQuery {
  @ApiPropertyOptional({
    description: 'full-text search over event text (web-search syntax: words, "phrases", -exclusions, or)',
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
}
