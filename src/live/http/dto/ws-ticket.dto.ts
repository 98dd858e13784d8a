import { ApiProperty } from '@nestjs/swagger';
import { IsUuid } from '../../../platform/http/uuid.js';
import type { IssuedTicket } from '../../../identity/ws-tickets/ws-tickets.service.js';

export class CreateWsTicketDto {
  @ApiProperty({ format: 'uuid', description: 'the session the socket will follow (one of yours)' })
  @IsUuid()
  sessionId: string;
}

export class WsTicketDto {
  @ApiProperty({
    description: 'open `GET /v1/sessions/{sessionId}/ws?ticket=<ticket>` with it once, before expiresAt',
    example: 'wst_4JmQ…',
  })
  ticket: string;

  @ApiProperty({ format: 'date-time' })
  expiresAt: string;
}

export function toWsTicketDto(issued: IssuedTicket): WsTicketDto {
  return { ticket: issued.ticket, expiresAt: issued.expiresAt.toISOString() };
}
