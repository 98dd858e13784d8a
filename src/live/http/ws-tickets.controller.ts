import { Body, Controller, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { CurrentAuth } from '../../identity/auth/current-auth.decorator.js';
import { ApiErrors } from '../../platform/http/openapi/api-errors.decorator.js';
import { SocketAdmission } from '../socket/socket-admission.service.js';
import { CreateWsTicketDto, WsTicketDto, toWsTicketDto } from './dto/ws-ticket.dto.js';

const WS_DESCRIPTION = [
  'A ticket opens `GET /v1/sessions/{sessionId}/ws` (a WebSocket) once, within 30 s, for the caller of this request:',
  'browsers cannot put an Authorization header on a WebSocket, and a token never goes in a URL.',
  'Instead of a ticket a client may offer the subprotocol `bearer.<token>` (with another one, e.g. `agent-sessions`,',
  'which the server then selects so the token is not echoed). `?after=<seq>` replays the events after that seq first.',
  '\n\nServer → client frames: `{"type":"event","event":Event}` (stored events, replayed then live, in seq order),',
  '`{"type":"task","task":Task}` (task status), `{"type":"delta","taskId","index","text"}` (a streaming answer, not',
  'stored), `{"type":"error","error":{"status","code","message","details"?}}` (a message failed; the socket stays open).',
  'Client → server: `{"type":"event","id"?,"parts","metadata"?}` (exactly POST /v1/sessions/{id}/events: same validation',
  'and errors) and `{"type":"resume","afterSeq":n}` (send the events after n again, then carry on live).',
  '\n\nRefused upgrades are plain HTTP errors: 401 bad, used or expired ticket or token (or a token in the URL), 404 a',
  'session you may not see, 429 rate limit or too many open streams (`MAX_STREAMS_PER_TOKEN`, shared with SSE), 503',
  'shutting down. Close codes: 1001 the instance is shutting down (reconnect and resume), 1009 a message over',
  '`BODY_LIMIT`, 1007 text that is not UTF-8; a client that does not read is dropped like a slow SSE client, one that',
  'does not answer pings (every `WS_PING_INTERVAL_MS`, 15 s) too.',
].join(' ');

@ApiTags('streaming')
@ApiBearerAuth()
@ApiErrors(400, 401, 429, 503)
@Controller('v1/ws-tickets')
export class WsTicketsController {
  constructor(private readonly admission: SocketAdmission) {}

  @Post()
  @ApiOperation({ summary: 'A single-use ticket to open a session WebSocket', description: WS_DESCRIPTION })
  @ApiCreatedResponse({ type: WsTicketDto })
  @ApiErrors(403, 404, 413)
  async create(@CurrentAuth() auth: AuthContext, @Body() body: CreateWsTicketDto): Promise<WsTicketDto> {
    return toWsTicketDto(await this.admission.issueTicket(auth, body.sessionId));
  }
}
