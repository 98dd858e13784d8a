import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../platform/http/openapi/api-errors.decorator.js';
import { SSE_CONTENT } from '../../platform/http/openapi/sse-content.js';
import type { Response } from 'express';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { CurrentAuth } from '../../identity/auth/current-auth.decorator.js';
import { Errors } from '../../platform/errors/domain-error.js';
import { UuidParam } from '../../platform/http/validation/validation.pipe.js';
import { AuditRead } from '../../identity/access-log/audit-read.decorator.js';
import { StreamQuery } from './stream.query.js';
import { SessionStreamService } from '../session-stream.service.js';

@ApiTags('streaming')
@ApiBearerAuth()
@ApiErrors(400, 401, 429, 503)
@Controller('v1/sessions/:id/stream')
export class StreamController {
  constructor(private readonly streams: SessionStreamService) {}

  @Get()
  @AuditRead('session.stream', { name: 'id', kind: 'session' }, { streamed: true })
  @ApiOperation({
    summary: 'Follow a session live (Server-Sent Events)',
    description:
      'Replays the events after Last-Event-ID (or ?after=), then streams new ones: `session.event` (id = seq, data = the event) and `task.status` (data = the task). Heartbeat comments keep proxies open.',
  })
  @ApiOkResponse({ description: 'an event stream', content: SSE_CONTENT })
  @ApiErrors(404)
  async stream(
    @CurrentAuth() auth: AuthContext,
    @Param('id', UuidParam) id: string,
    @Query() query: StreamQuery,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    await this.streams.stream(auth, id, resumeFrom(lastEventId, query.after), res);
  }
}

function resumeFrom(lastEventId: string | undefined, after: number | undefined): number {
  if (lastEventId === undefined || lastEventId === '') return after ?? 0;
  const seq = Number(lastEventId);
  if (!Number.isInteger(seq) || seq < 0)
    throw Errors.badRequest('request/invalid_last_event_id', 'Last-Event-ID must be an event seq');
  return seq;
}
