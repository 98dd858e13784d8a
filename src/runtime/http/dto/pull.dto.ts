import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { EventDto } from '../../../conversation/http/dto/event.dto.js';
import { ApiPartModels, PARTS_SCHEMA } from '../../../conversation/http/dto/part.dto.js';
import { SessionDto } from '../../../conversation/http/dto/session.dto.js';
import { TaskDto } from '../../../conversation/http/dto/task.dto.js';
import type { Part } from '../../../conversation/records/event.record.js';
import { IsJsonArray, IsJsonObject, IsParts } from '../../../platform/http/validation/json.validators.js';
import type { JsonObject } from '../../../platform/json/json.js';

export const MAX_WAIT_MS = 30_000;
export const MAX_STEPS = 100;
const MAX_ARTIFACTS = 64;
const LEASE_ID = { description: 'the lease the claim returned (opaque)', example: 'pull:3f1c…' };
const LEASE_MS = { minimum: 5_000, maximum: 600_000, description: 'new lease length; default TASK_LEASE_MS' };
const STEP_ITEMS = {
  type: 'object' as const,
  additionalProperties: true,
  description:
    'a step of the turn contract (docs/agents.md): {kind:"tool_call",callId,name,arguments}, ' +
    '{kind:"tool_result",callId,output:[parts],isError?} or {kind:"message",parts:[parts]}',
};

export class ClaimTasksDto {
  @ApiPropertyOptional({ minimum: 0, maximum: MAX_WAIT_MS, default: 20_000, description: 'how long to long-poll' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_WAIT_MS)
  waitMs?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 10, default: 1, description: 'most tasks to claim at once' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10)
  limit?: number;

  @ApiPropertyOptional(LEASE_MS)
  @IsOptional()
  @IsInt()
  @Min(LEASE_MS.minimum)
  @Max(LEASE_MS.maximum)
  leaseMs?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 200, default: 20, description: 'events of history before the trigger' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(200)
  historyLimit?: number;
}

export class TaskClaimDto {
  @ApiProperty(LEASE_ID) leaseId: string;
  @ApiProperty({ format: 'date-time', description: 'renew before this (heartbeat), or the task is claimable again' })
  leaseExpiresAt: string;
  @ApiProperty({ description: "this run's number: 1 for the first, more after a lost lease or a retryable error" })
  attempt: number;
  @ApiProperty({ type: TaskDto }) task: TaskDto;
  @ApiProperty({ type: EventDto, description: 'the user message this task answers' }) trigger: EventDto;
  @ApiProperty({ type: SessionDto, description: 'state with its user: and app: keys, as hosted agents see it' })
  session: SessionDto;
  @ApiProperty({
    type: [EventDto],
    description: 'the last historyLimit items of the effective history before the trigger, oldest first',
  })
  history: EventDto[];
}

export class TaskClaimsDto {
  @ApiProperty({ type: [TaskClaimDto], description: 'empty when nothing was claimable within waitMs' })
  claims: TaskClaimDto[];
}

export class RecordStepsDto {
  @ApiProperty(LEASE_ID) @IsString() @Length(1, 200) leaseId: string;

  @ApiProperty({ type: 'array', items: STEP_ITEMS, minItems: 1, maxItems: MAX_STEPS })
  @IsJsonArray(1, MAX_STEPS)
  steps: unknown[];
}

export class StoredStepsDto {
  @ApiProperty({ type: [EventDto], description: 'one event per step, in order' }) events: EventDto[];
}

export class HeartbeatDto {
  @ApiProperty(LEASE_ID) @IsString() @Length(1, 200) leaseId: string;

  @ApiPropertyOptional(LEASE_MS)
  @IsOptional()
  @IsInt()
  @Min(LEASE_MS.minimum)
  @Max(LEASE_MS.maximum)
  leaseMs?: number;
}

export class LeaseDto {
  @ApiProperty({ format: 'date-time' }) leaseExpiresAt: string;
}

export class ResultUsageDto {
  @ApiPropertyOptional({ minimum: 0 }) @IsOptional() @IsInt() @Min(0) @Max(2_147_483_647) promptTokens?: number;
  @ApiPropertyOptional({ minimum: 0 }) @IsOptional() @IsInt() @Min(0) @Max(2_147_483_647) completionTokens?: number;
  @ApiPropertyOptional({ description: 'priced by MODEL_PRICES' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  model?: string;
}

export class ResultErrorDto {
  @ApiProperty({ description: "the failure, stored as the task's error and its error event" })
  @IsString()
  @Length(1, 2000)
  message: string;

  @ApiPropertyOptional({
    description: 'true: the task goes back to the queue for another attempt, until TASK_MAX_ATTEMPTS runs',
  })
  @IsOptional()
  @IsBoolean()
  retryable?: boolean;
}

@ApiPartModels()
export class TaskResultDto {
  @ApiProperty(LEASE_ID) @IsString() @Length(1, 200) leaseId: string;

  @ApiPropertyOptional({ ...PARTS_SCHEMA, minItems: 1, description: 'the answer (text and data parts); or error' })
  @IsOptional()
  @IsParts()
  parts?: Part[];

  @ApiPropertyOptional({ enum: ['completed', 'input_required'], default: 'completed' })
  @IsOptional()
  @IsIn(['completed', 'input_required'])
  status?: 'completed' | 'input_required';

  @ApiPropertyOptional({ type: ResultUsageDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ResultUsageDto)
  usage?: ResultUsageDto;

  @ApiPropertyOptional({
    type: 'array',
    items: STEP_ITEMS,
    maxItems: MAX_STEPS,
    description: 'stored before the answer',
  })
  @IsOptional()
  @IsJsonArray(0, MAX_STEPS)
  steps?: unknown[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'JSON merge patch to the state' })
  @IsOptional()
  @IsJsonObject()
  statePatch?: JsonObject;

  @ApiPropertyOptional({
    type: 'array',
    maxItems: MAX_ARTIFACTS,
    items: { type: 'object', additionalProperties: true, description: '{artifactId, name, description?, parts}' },
  })
  @IsOptional()
  @IsJsonArray(0, MAX_ARTIFACTS)
  artifacts?: unknown[];

  @ApiPropertyOptional({ description: 'with status completed: the agent ended the conversation' })
  @IsOptional()
  @IsBoolean()
  endSession?: boolean;

  @ApiPropertyOptional({ type: ResultErrorDto, description: 'the run failed (instead of parts)' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ResultErrorDto)
  error?: ResultErrorDto;
}

export class SettledTaskDto {
  @ApiProperty({ type: TaskDto }) task: TaskDto;
}
