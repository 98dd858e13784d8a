import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { LimitQuery } from '../../../platform/http/validation/query.dto.js';
import type { DeliveryRecord, WebhookRecord } from '../../webhook.record.js';

export class PutWebhookDto {
  @ApiProperty({ description: 'http(s) URL the deliveries are POSTed to (no redirects are followed)', maxLength: 2000 })
  @IsString()
  @Length(1, 2000)
  url: string;

  @ApiPropertyOptional({ description: 'sent back as the X-Webhook-Token header of every delivery', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  token?: string;
}

export class WebhookDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) sessionId: string;
  @ApiProperty() url: string;
  @ApiProperty({ description: 'whether a token is sent with each delivery (the token itself is not shown)' })
  hasToken: boolean;
  @ApiPropertyOptional({
    description: 'the HMAC-SHA256 signing secret: returned once, when the webhook is created (201)',
  })
  secret?: string;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

export class AttemptDto {
  @ApiProperty() attempt: number;
  @ApiProperty() at: string;
  @ApiProperty({ nullable: true, type: Number }) statusCode: number | null;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
}

export class DeliveryDto {
  @ApiProperty({ description: 'the delivery id (also the Webhook-Id header and the body\'s "id")' }) id: string;
  @ApiProperty({ enum: ['task.status', 'session.event'] }) type: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) taskId: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'task.status: the status the task moved to' })
  taskStatus: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'session.event: the seq of the event' })
  eventSeq: number | null;
  @ApiProperty({ enum: ['pending', 'delivered', 'failed'] }) status: string;
  @ApiProperty() attempts: number;
  @ApiProperty({ nullable: true, type: String }) lastAttemptAt: string | null;
  @ApiProperty({ nullable: true, type: Number }) lastStatusCode: number | null;
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'pending: when the next attempt is due' })
  nextAttemptAt: string | null;
  @ApiProperty({ nullable: true, type: String }) deliveredAt: string | null;
  @ApiProperty({ type: [AttemptDto], description: 'every attempt that ended, oldest first' })
  attemptLog: AttemptDto[];
  @ApiProperty() createdAt: string;
}

export class DeliveryPageDto {
  @ApiProperty({ type: [DeliveryDto] }) data: DeliveryDto[];
  @ApiProperty({ nullable: true, type: String, description: 'pass as cursor for the next page; null on the last' })
  nextCursor: string | null;
}

export class DeliveriesQuery extends LimitQuery {
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  cursor?: string;
}

type ShownWebhook = Pick<WebhookRecord, 'id' | 'sessionId' | 'url' | 'token' | 'createdAt' | 'updatedAt'>;

export function toWebhookDto(webhook: ShownWebhook, secret?: string): WebhookDto {
  return {
    id: webhook.id,
    sessionId: webhook.sessionId,
    url: webhook.url,
    hasToken: webhook.token !== null,
    ...(secret ? { secret } : {}),
    createdAt: webhook.createdAt.toISOString(),
    updatedAt: webhook.updatedAt.toISOString(),
  };
}

export function toDeliveryDto(delivery: DeliveryRecord): DeliveryDto {
  return {
    id: String(delivery.id),
    type: delivery.topic,
    taskId: delivery.taskId,
    taskStatus: delivery.taskStatus,
    eventSeq: delivery.eventSeq,
    status: delivery.status,
    attempts: delivery.attempts,
    lastAttemptAt: delivery.lastAttemptAt?.toISOString() ?? null,
    lastStatusCode: delivery.lastStatusCode,
    lastError: delivery.lastError,
    nextAttemptAt: delivery.status === 'pending' ? delivery.nextAttemptAt.toISOString() : null,
    deliveredAt: delivery.deliveredAt?.toISOString() ?? null,
    attemptLog: delivery.attemptLog,
    createdAt: delivery.createdAt.toISOString(),
  };
}
