import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../platform/http/openapi/api-errors.decorator.js';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { CurrentAuth } from '../../identity/auth/current-auth.decorator.js';
import { AfterSeqQuery } from '../../platform/http/validation/query.dto.js';
import { UuidParam } from '../../platform/http/validation/validation.pipe.js';
import { AuditRead } from '../../identity/access-log/audit-read.decorator.js';
import { EventPageDto, toEventDto } from './dto/event.dto.js';
import { EventsService } from '../events.service.js';
import { AgentAccess } from '../../identity/auth/agent-access.decorator.js';

@ApiTags('events')
@ApiBearerAuth()
@ApiErrors(400, 401, 429, 503)
@Controller('v1/sessions/:id/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @AgentAccess()
  @Get()
  @AuditRead('session.events', { name: 'id', kind: 'session' })
  @ApiOperation({ summary: "The session's history in seq order (replayable)" })
  @ApiOkResponse({ type: EventPageDto })
  @ApiErrors(404)
  async list(
    @CurrentAuth() auth: AuthContext,
    @Param('id', UuidParam) id: string,
    @Query() query: AfterSeqQuery,
  ): Promise<EventPageDto> {
    const page = await this.events.list(auth, id, query.after, query.limit);
    return { data: page.data.map(toEventDto), nextAfter: page.nextAfter };
  }
}
