import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import { SESSION_STATUSES, type SessionStatus } from '../../../conversation/records/session.record.js';
import { MATCH_FIELDS, type MatchField, type ReviewHit } from '../review.repository.js';

export interface ReviewMatchDto {
  seq: number;
  snippet: string;
}

// Inline rather than a $ref: in OpenAPI 3.0 `nullable` beside a $ref (or its allOf) does not admit null.
const MATCH_SCHEMA: ApiPropertyOptions = {
  type: 'object',
  nullable: true,
  selfRequired: true,
  description: 'the first event whose text matched q; null without q or when only other fields matched',
  properties: {
    seq: { type: 'integer', description: 'seq of the first matching event' },
    snippet: { type: 'string', description: 'text around the match; matched words are wrapped in « »' },
  },
  required: ['seq', 'snippet'],
};

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
  @ApiProperty({ type: [String], description: "labels of the session's annotations" }) labels: string[];
  @ApiProperty({
    enum: MATCH_FIELDS,
    isArray: true,
    description: 'what q matched: the session id, its name, a metadata value, event text, an annotation; [] without q',
  })
  matchedOn: MatchField[];
  @ApiProperty(MATCH_SCHEMA) match: ReviewMatchDto | null;
}

export class ReviewPageDto {
  @ApiProperty({ type: [ReviewHitDto] }) data: ReviewHitDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export function toReviewHitDto(hit: ReviewHit): ReviewHitDto {
  return { ...hit, createdAt: hit.createdAt.toISOString(), lastActivityAt: hit.lastActivityAt.toISOString() };
}
