import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { BooleanQuery, IsTimestamp, LimitQuery } from '../../../platform/http/validation/query.dto.js';
import { SESSION_STATUSES, type SessionStatus } from '../../../conversation/records/session.record.js';

export class ReviewSearchQuery extends LimitQuery {
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

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 64)
  agentId?: string;

  @ApiPropertyOptional({ enum: SESSION_STATUSES })
  @IsOptional()
  @IsIn(SESSION_STATUSES)
  status?: SessionStatus;

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

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @Length(1, 400)
  cursor?: string;
}
