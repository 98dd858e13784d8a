import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { JsonObject } from '../../../platform/json/json.js';
import type { SessionWithWebhook } from '../../sessions.service.js';
import { SessionWebhookDto, toSessionWebhookDto } from './session-webhook.dto.js';
import { SESSION_STATUSES, type SessionRecord, type SessionStatus } from '../../records/session.record.js';

export class SessionUsageDto {
  @ApiProperty() promptTokens: number;
  @ApiProperty() completionTokens: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: "sum of the priced answers' costs; null while none is priced (unknown), 0 when free",
  })
  costUsd: number | null;
  @ApiProperty({ description: 'answers whose model has no price: costUsd covers every answer only when this is 0' })
  unpricedAnswers: number;
}

export class SessionDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() userId: string;
  @ApiProperty() agentId: string;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ enum: SESSION_STATUSES }) status: SessionStatus;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata: JsonObject;
  @ApiProperty({ type: 'object', additionalProperties: true }) state: JsonObject;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) parentId: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() lastActivityAt: string;
  @ApiProperty({ nullable: true, type: String }) expiresAt: string | null;
  @ApiProperty({ nullable: true, type: String }) closedAt: string | null;
  @ApiProperty({ description: 'number of events; also the seq of the last one' }) eventCount: number;
  @ApiProperty({ description: 'number of user messages' }) turnCount: number;
  @ApiProperty({ type: SessionUsageDto }) usage: SessionUsageDto;
  @ApiProperty({ nullable: true, type: String, description: "the client's own key (PUT /v1/sessions/by-key/:key)" })
  key: string | null;
  @ApiPropertyOptional({
    type: SessionWebhookDto,
    description: 'only in the answer to a create or PATCH that set the webhook (GET /v1/sessions/:id/webhook shows it)',
  })
  webhook?: SessionWebhookDto;
}

export class SessionPageDto {
  @ApiProperty({ type: [SessionDto] }) data: SessionDto[];
  @ApiProperty({ nullable: true, type: String, description: 'pass as cursor for the next page; null on the last page' })
  nextCursor: string | null;
}

export function toSessionDto(session: SessionRecord): SessionDto {
  return {
    id: session.id,
    userId: session.userId,
    agentId: session.agentId,
    name: session.name,
    status: session.status,
    metadata: session.metadata,
    state: session.state,
    parentId: session.parentId,
    createdAt: session.createdAt.toISOString(),
    lastActivityAt: session.lastActivityAt.toISOString(),
    expiresAt: session.expiresAt?.toISOString() ?? null,
    closedAt: session.closedAt?.toISOString() ?? null,
    eventCount: session.eventCount,
    turnCount: session.turnCount,
    usage: {
      promptTokens: session.promptTokens,
      completionTokens: session.completionTokens,
      costUsd: session.costUsd,
      unpricedAnswers: session.unpricedAnswers,
    },
    key: session.key,
  };
}

/** The answer to a create or PATCH: the session, and its webhook when the call set one. */
export function toSessionWithWebhookDto(result: SessionWithWebhook): SessionDto {
  const dto = toSessionDto(result.session);
  return result.webhook ? { ...dto, webhook: toSessionWebhookDto(result.webhook) } : dto;
}
