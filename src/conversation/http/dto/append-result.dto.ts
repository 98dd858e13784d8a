import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { TaskDto, toTaskDto } from './task.dto.js';
import type { AppendOutcome } from '../../events.service.js';
import { EventDto, toEventDto } from './event.dto.js';

export class AppendResultDto {
  @ApiProperty({ type: EventDto }) event: EventDto;
  @ApiProperty({ type: TaskDto }) task: TaskDto;
  @ApiPropertyOptional({ type: EventDto, description: "the agent's answer, once the task has settled" })
  response?: EventDto;
}

export function toAppendResultDto(outcome: AppendOutcome): AppendResultDto {
  const dto: AppendResultDto = { event: toEventDto(outcome.event), task: toTaskDto(outcome.task) };
  if (outcome.response) dto.response = toEventDto(outcome.response);
  return dto;
}
