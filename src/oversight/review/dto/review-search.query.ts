import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsDateString, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { LimitQuery } from '../../../platform/http/validation/query.dto.js';
import { SESSION_STATUSES, type SessionStatus } from '../../../conversation/records/session.record.js';

const toBool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class ReviewSearchQuery extends LimitQuery {
  @ApiPropertyOptional({ description: 'full-text search over event text (web-search syntax: words, "phrases", -exclusions, or)' })
  @IsOptional() @IsString() @Length(1, 500)
  q?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 128)
  userId?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 64)
  agentId?: string;

  @ApiPropertyOptional({ enum: SESSION_STATUSES }) @IsOptional() @IsIn(SESSION_STATUSES)
  status?: SessionStatus;

  @ApiPropertyOptional({ description: 'only sessions with (true) or without (false) failed tasks' })
  @IsOptional() @Transform(toBool) @IsBoolean()
  hasFailedTasks?: boolean;

  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsDateString()
  createdFrom?: string;

  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsDateString()
  createdTo?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'last activity at or after' }) @IsOptional() @IsDateString()
  activeFrom?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'last activity before' }) @IsOptional() @IsDateString()
  activeTo?: string;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional() @IsString() @Length(1, 200) @Matches(/^[A-Za-z0-9_-]+$/, { message: 'cursor is malformed' })
  cursor?: string;
}
