import { Body, Controller, Get, Headers, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { AuthContext } from '../common/auth/auth-context.js';
import { CurrentAuth } from '../common/auth/current-auth.decorator.js';
import { AfterSeqQuery } from '../common/validation/query.dto.js';
import { UuidParam } from '../common/validation/validation.pipe.js';
import { AuditRead } from '../audit/audit-read.decorator.js';
import { AppendEventDto, AppendEventQuery } from './dto/append-event.dto.js';
import { AppendResultDto, toAppendResultDto } from './dto/append-result.dto.js';
import { EventPageDto, toEventDto } from './dto/event.dto.js';
import { EventsService } from './events.service.js';
import { TurnStreamService } from './turn-stream.service.js';

@ApiTags('events')
@ApiBearerAuth()
@Controller('v1/sessions/:id/events')
export class EventsController {
  constructor(
    private readonly events: EventsService,
    private readonly turnStream: TurnStreamService,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Post a user message; it is stored with the task that answers it',
    description: 'With `Accept: text/event-stream` the answer is streamed: message.delta events as the agent writes, then the stored answer (session.event) and the final task.status.',
  })
  @ApiAcceptedResponse({ type: AppendResultDto, description: 'stored; the task is queued' })
  @ApiCreatedResponse({ type: AppendResultDto, description: 'with ?wait=true: the task has settled; response holds the answer' })
  @ApiOkResponse({ type: AppendResultDto, description: 'a retry of an event id already stored: the original' })
  @ApiProduces('application/json', 'text/event-stream')
  async append(
    @CurrentAuth() auth: AuthContext,
    @Param('id', UuidParam) id: string,
    @Query() query: AppendEventQuery,
    @Body() body: AppendEventDto,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AppendResultDto | undefined> {
    if (accept?.includes('text/event-stream')) {
      await this.turnStream.stream(auth, id, body, res);
      return undefined;
    }
    const outcome = await this.events.append(auth, id, body, { wait: query.wait === true });
    res.status(!outcome.created ? 200 : outcome.response ? 201 : 202);
    return toAppendResultDto(outcome);
  }

  @Get()
  @AuditRead('session.events', { name: 'id', kind: 'session' })
  @ApiOperation({ summary: 'The session\'s history in seq order (replayable)' })
  @ApiOkResponse({ type: EventPageDto })
  async list(
    @CurrentAuth() auth: AuthContext,
    @Param('id', UuidParam) id: string,
    @Query() query: AfterSeqQuery,
  ): Promise<EventPageDto> {
    const page = await this.events.list(auth, id, query.after, query.limit);
    return { data: page.data.map(toEventDto), nextAfter: page.nextAfter };
  }
}
