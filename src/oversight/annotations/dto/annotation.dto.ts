import { ApiProperty } from '@nestjs/swagger';
import type { AnnotationRecord } from '../annotation.record.js';

export class AnnotationDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) sessionId: string;
  @ApiProperty({ nullable: true, type: Number, description: 'seq of the event it is about; null: the session' })
  seq: number | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'id of that event' })
  eventId: string | null;
  @ApiProperty({ nullable: true, type: String }) text: string | null;
  @ApiProperty({ type: [String] }) labels: string[];
  @ApiProperty({ description: "shown to the session's owner" }) shared: boolean;
  @ApiProperty() authorId: string;
  @ApiProperty({ enum: ['reviewer', 'admin'] }) authorRole: 'reviewer' | 'admin';
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class AnnotationPageDto {
  @ApiProperty({ type: [AnnotationDto] }) data: AnnotationDto[];
  @ApiProperty({ nullable: true, type: String, description: 'pass as cursor for the next page; null on the last page' })
  nextCursor: string | null;
}

export function toAnnotationDto(annotation: AnnotationRecord): AnnotationDto {
  return { ...annotation, createdAt: annotation.createdAt.toISOString() };
}
