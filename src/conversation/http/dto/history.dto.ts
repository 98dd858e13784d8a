import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { MAX_INT4 } from '../../../platform/http/pagination.js';
import { LimitQuery } from '../../../platform/http/validation/query.dto.js';
import { IsJsonWhere, partsProblem } from '../../../platform/http/validation/json.validators.js';
import { isJsonObject } from '../../../platform/json/json.js';
import type { Part } from '../../records/event.record.js';
import { EventDto } from './event.dto.js';
import { ApiPartModels, PARTS_SCHEMA } from './part.dto.js';

export class HistoryQuery extends LimitQuery {
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @Length(1, 400)
  cursor?: string;
}

export class HistoryPageDto {
  @ApiProperty({
    type: [EventDto],
    description: 'the effective conversation: messages, tool calls and results, compaction summaries',
  })
  items: EventDto[];
  @ApiProperty({ nullable: true, type: String, description: 'pass as cursor for the next page; null on the last page' })
  nextCursor: string | null;
}

export class RevertDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 1000,
    default: 1,
    description: 'how many items to remove from the end',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  items?: number;
}

export class SummaryDto {
  @ApiProperty({ ...PARTS_SCHEMA, minItems: 1 }) parts: Part[];
}

function summaryProblem(value: unknown): string | undefined {
  if (!isJsonObject(value)) return 'summary must be an object';
  const extra = Object.keys(value).find((key) => key !== 'parts');
  return extra ? `summary has an unknown field "${extra}"` : partsProblem(value.parts, 'summary.parts');
}

@ApiPartModels()
export class CompactionDto {
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    description: 'the items with seq up to this one are replaced by the summary',
  })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_INT4)
  throughSeq: number;

  @ApiProperty({ type: SummaryDto })
  @IsJsonWhere(summaryProblem)
  summary: { parts: Part[] };
}

export class HistoryEditDto {
  @ApiProperty({ type: EventDto, description: 'the edit, an event of role system' }) event: EventDto;
}

export class RevertedDto extends HistoryEditDto {
  @ApiProperty({ type: [EventDto], description: 'the items removed from the effective history' })
  removed: EventDto[];
}
