import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { ServiceStats } from '../stats.record.js';
import { DEFAULT_STATS_DAYS } from '../stats.service.js';

export class StatsQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 90, default: DEFAULT_STATS_DAYS, description: 'days of daily activity' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(90)
  days: number = DEFAULT_STATS_DAYS;
}

const COUNTS = { type: 'object', additionalProperties: { type: 'integer' } } as const;

export class StatusCountsDto {
  @ApiProperty({ ...COUNTS, example: { active: 12, closed: 40 } }) counts: Record<string, number>;
  @ApiProperty({ description: 'true: from planner statistics (the table is too large to count on every call)' })
  estimated: boolean;
}

export class TaskStatusCountsDto extends StatusCountsDto {
  @ApiProperty({ type: [String], description: 'statuses whose counts are exact even when others are estimated' })
  exactStatuses: string[];
}

export class DailyActivityDto {
  @ApiProperty({ example: '2026-11-29', description: 'UTC day' }) day: string;
  @ApiProperty() events: number;
  @ApiProperty({ description: 'user messages (one per turn)' }) turns: number;
}

export class OldestQueuedTaskDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ description: 'seconds it has waited to be claimed' }) ageSeconds: number;
}

export class ServiceStatsDto {
  @ApiProperty({ format: 'date-time' }) generatedAt: string;
  @ApiProperty() days: number;
  @ApiProperty({ type: StatusCountsDto }) sessionsByStatus: StatusCountsDto;
  @ApiProperty({ type: TaskStatusCountsDto }) tasksByStatus: TaskStatusCountsDto;
  @ApiProperty({ type: [DailyActivityDto], description: 'oldest day first, today last, zero-filled' })
  daily: DailyActivityDto[];
  @ApiProperty({ type: OldestQueuedTaskDto, nullable: true }) oldestQueuedTask: OldestQueuedTaskDto | null;
}

export function toServiceStatsDto(stats: ServiceStats): ServiceStatsDto {
  const oldest = stats.oldestQueuedTask;
  return {
    ...stats,
    generatedAt: stats.generatedAt.toISOString(),
    oldestQueuedTask: oldest ? { ...oldest, createdAt: oldest.createdAt.toISOString() } : null,
  };
}
