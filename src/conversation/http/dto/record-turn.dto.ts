import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Length } from 'class-validator';
import type { JsonObject, JsonValue } from '../../../platform/json/json.js';
import { IsJsonObject, IsJsonWhere } from '../../../platform/http/validation/json.validators.js';
import type { Part } from '../../records/event.record.js';
import type { ReportedUsage } from '../../records/pricing.js';
import type { TurnArtifact, TurnStep } from '../../records/turn-step.record.js';
import { EventDto } from './event.dto.js';
import { ApiPartModels, PARTS_SCHEMA } from './part.dto.js';
import { TaskDto } from './task.dto.js';
import {
  MAX_TURN_ARTIFACTS,
  MAX_TURN_STEPS,
  artifactsProblem,
  messageProblem,
  stepsProblem,
  usageProblem,
} from './turn-fields.js';

// Documentation classes: the fields are checked by turn-fields.ts and never run through class-transformer.
const METADATA = { type: 'object', additionalProperties: true } as const;

export class TurnInputDto {
  @ApiProperty({ ...PARTS_SCHEMA, minItems: 1 }) parts: Part[];
  @ApiPropertyOptional({ ...METADATA, description: "kept on the user's event" }) metadata?: JsonObject;
}

export class TurnOutputDto {
  @ApiProperty({ ...PARTS_SCHEMA, minItems: 1 }) parts: Part[];
  @ApiPropertyOptional({ ...METADATA, description: "kept on the answer (the service's taskStatus/endSession win)" })
  metadata?: JsonObject;
  @ApiPropertyOptional({ enum: ['completed', 'input_required'], default: 'completed' })
  status?: 'completed' | 'input_required';
}

export class ToolCallStepDto {
  @ApiProperty({ enum: ['tool_call'] }) kind: 'tool_call';
  @ApiProperty() callId: string;
  @ApiProperty() name: string;
  @ApiProperty({
    description: 'any JSON value',
    nullable: true,
    oneOf: [
      { type: 'object', additionalProperties: true },
      { type: 'array', items: {} },
      { type: 'string' },
      { type: 'number' },
      { type: 'boolean' },
    ],
  })
  arguments: JsonValue;
  @ApiPropertyOptional(METADATA) metadata?: JsonObject;
}

export class ToolResultStepDto {
  @ApiProperty({ enum: ['tool_result'] }) kind: 'tool_result';
  @ApiProperty() callId: string;
  @ApiProperty({ ...PARTS_SCHEMA, minItems: 1 }) output: Part[];
  @ApiPropertyOptional() isError?: boolean;
  @ApiPropertyOptional(METADATA) metadata?: JsonObject;
}

export class MessageStepDto {
  @ApiProperty({ enum: ['message'] }) kind: 'message';
  @ApiProperty({ ...PARTS_SCHEMA, minItems: 1 }) parts: Part[];
  @ApiPropertyOptional(METADATA) metadata?: JsonObject;
}

export class TurnUsageDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 0 }) promptTokens?: number;
  @ApiPropertyOptional({ type: 'integer', minimum: 0 }) completionTokens?: number;
  @ApiPropertyOptional({ description: 'priced with MODEL_PRICES like hosted answers' }) model?: string;
}

export class TurnArtifactDto {
  @ApiProperty() artifactId: string;
  @ApiProperty() name: string;
  @ApiPropertyOptional() description?: string;
  @ApiProperty({ ...PARTS_SCHEMA, minItems: 1 }) parts: Part[];
}

const STEP_TYPES = { tool_call: ToolCallStepDto, tool_result: ToolResultStepDto, message: MessageStepDto };

export type RecordedStep = TurnStep & { metadata?: JsonObject };

@ApiPartModels()
@ApiExtraModels(ToolCallStepDto, ToolResultStepDto, MessageStepDto)
export class RecordTurnDto {
  @ApiProperty({ minLength: 1, maxLength: 200, description: "the client's id of the turn (idempotency key)" })
  @IsString()
  @Length(1, 200)
  turnId: string;

  @ApiProperty({ type: TurnInputDto, description: "the user's message" })
  @IsJsonWhere(messageProblem('input'))
  input: { parts: Part[]; metadata?: JsonObject };

  @ApiPropertyOptional({
    type: 'array',
    maxItems: MAX_TURN_STEPS,
    items: {
      oneOf: Object.values(STEP_TYPES).map((type) => ({ $ref: getSchemaPath(type) })),
      discriminator: {
        propertyName: 'kind',
        mapping: Object.fromEntries(Object.entries(STEP_TYPES).map(([kind, type]) => [kind, getSchemaPath(type)])),
      },
    },
    description: 'what the agent did on its way to the answer, in order (docs/agents.md)',
  })
  @IsOptional()
  @IsJsonWhere(stepsProblem)
  steps?: RecordedStep[];

  @ApiProperty({ type: TurnOutputDto, description: "the agent's answer" })
  @IsJsonWhere(messageProblem('output'))
  output: { parts: Part[]; metadata?: JsonObject; status?: 'completed' | 'input_required' };

  @ApiPropertyOptional({ type: TurnUsageDto })
  @IsOptional()
  @IsJsonWhere(usageProblem)
  usage?: ReportedUsage;

  @ApiPropertyOptional({
    ...METADATA,
    description: 'JSON merge patch; user:/app: keys go to user/app state, temp: keys are dropped',
  })
  @IsOptional()
  @IsJsonObject()
  statePatch?: JsonObject;

  @ApiPropertyOptional({ type: [TurnArtifactDto], maxItems: MAX_TURN_ARTIFACTS })
  @IsOptional()
  @IsJsonWhere(artifactsProblem)
  artifacts?: TurnArtifact[];

  @ApiPropertyOptional({ description: 'the agent finished the conversation (the session becomes completed)' })
  @IsOptional()
  @IsBoolean()
  endSession?: boolean;
}

export class RecordedTurnDto {
  @ApiProperty({ type: TaskDto, description: 'created completed (or input_required)' }) task: TaskDto;
  @ApiProperty({ type: [EventDto], description: 'trigger, steps, state, artifacts and answer, in seq order' })
  events: EventDto[];
}
