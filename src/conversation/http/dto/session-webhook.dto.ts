import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import type { SavedSessionWebhook } from '../../records/session-webhook.record.js';

export const WEBHOOK_URL_MAX = 2048;

/** `webhook` of a session create or PATCH: where the session's deliveries go (see PUT /v1/sessions/:id/webhook). */
export class SessionWebhookInputDto {
  @ApiProperty({
    description: 'http(s) URL the deliveries are POSTed to (no redirects are followed)',
    maxLength: WEBHOOK_URL_MAX,
    example: 'https://example.com/hooks/agent',
  })
  @IsString()
  @MaxLength(WEBHOOK_URL_MAX)
  @Matches(/^https?:\/\//i, { message: 'webhook.url must be an http or https URL' })
  url: string;

  @ApiPropertyOptional({ description: 'sent back as the X-Webhook-Token header of every delivery', maxLength: 500 })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  token?: string;
}

export class SessionWebhookDto {
  @ApiProperty() url: string;
  @ApiProperty({ description: 'whether a token is sent with each delivery (the token itself is not shown)' })
  hasToken: boolean;
  @ApiPropertyOptional({
    description: 'the HMAC-SHA256 signing secret: returned once, by the call that created the webhook',
  })
  secret?: string;
}

export function toSessionWebhookDto(saved: SavedSessionWebhook): SessionWebhookDto {
  return {
    url: saved.webhook.url,
    hasToken: saved.webhook.token !== null,
    ...(saved.secret ? { secret: saved.secret } : {}),
  };
}
