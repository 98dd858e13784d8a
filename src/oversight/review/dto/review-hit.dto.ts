import { ApiProperty } from '@nestjs/swagger';
import { SESSION_STATUSES, type SessionStatus } from '../../../conversation/records/session.record.js';
import type { ReviewHit } from '../review.repository.js';

export class ReviewMatchDto {
  @ApiProperty({ description: 'seq of the first matching event' }) seq: number;
  @ApiProperty({ description: 'text around the match; matched words are wrapped in « »' }) snippet: string;
}

export class ReviewHitDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() userId: string;
  @ApiProperty() agentId: string;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ enum: SESSION_STATUSES }) status: SessionStatus;
  @ApiProperty() createdAt: string;
  @ApiProperty() lastActivityAt: string;
  @ApiProperty() eventCount: number;
  @ApiProperty() failedTasks: number;
  @ApiProperty({ type: ReviewMatchDto, nullable: true }) match: ReviewMatchDto | null;
}

export class ReviewPageDto {
  @ApiProperty({ type: [ReviewHitDto] }) data: ReviewHitDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export function toReviewHitDto(hit: ReviewHit): ReviewHitDto {
  return { ...hit, createdAt: hit.createdAt.toISOString(), lastActivityAt: hit.lastActivityAt.toISOString() };
}
