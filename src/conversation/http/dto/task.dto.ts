import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { EventRecord, Part } from '../../records/event.record.js';
import { TASK_STATUSES, type TaskRecord, type TaskStatus } from '../../records/task.record.js';

export class ArtifactDto {
  @ApiProperty() artifactId: string;
  @ApiProperty() name: string;
  @ApiPropertyOptional() description?: string;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } }) parts: Part[];
  @ApiProperty({ format: 'uuid', description: 'the artifact event' }) eventId: string;
  @ApiProperty() seq: number;
}

export class TaskDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) sessionId: string;
  @ApiProperty() agentId: string;
  @ApiProperty({ enum: TASK_STATUSES }) status: TaskStatus;
  @ApiProperty({ format: 'uuid' }) triggerEventId: string;
  @ApiProperty() triggerSeq: number;
  @ApiProperty({ description: 'the user turn this task answers (1-based)' }) turn: number;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) responseEventId: string | null;
  @ApiProperty() attempts: number;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) startedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) finishedAt: string | null;
  @ApiPropertyOptional({ type: [ArtifactDto], description: "the task's artifacts (on GET /v1/tasks/:id)" })
  artifacts?: ArtifactDto[];
}

export class TaskPageDto {
  @ApiProperty({ type: [TaskDto] }) data: TaskDto[];
  @ApiProperty({ nullable: true, type: Number, description: 'pass as after for the next page; null on the last page' })
  nextAfter: number | null;
}

export function toTaskDto(task: TaskRecord): TaskDto {
  return {
    id: task.id,
    sessionId: task.sessionId,
    agentId: task.agentId,
    status: task.status,
    triggerEventId: task.triggerEventId,
    triggerSeq: task.triggerSeq,
    turn: task.turn,
    responseEventId: task.responseEventId,
    attempts: task.attempts,
    error: task.error,
    createdAt: task.createdAt.toISOString(),
    startedAt: task.startedAt?.toISOString() ?? null,
    finishedAt: task.finishedAt?.toISOString() ?? null,
  };
}

export function toArtifactDto(event: EventRecord): ArtifactDto {
  const { artifactId, name, description } = event.metadata;
  return {
    artifactId: typeof artifactId === 'string' ? artifactId : '',
    name: typeof name === 'string' ? name : '',
    ...(typeof description === 'string' ? { description } : {}),
    parts: event.parts,
    eventId: event.id,
    seq: event.seq,
  };
}
