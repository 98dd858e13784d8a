import { Body, Controller, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrors } from '../../platform/http/openapi/api-errors.decorator.js';
import type { Response } from 'express';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { CurrentAuth } from '../../identity/auth/current-auth.decorator.js';
import { UuidParam } from '../../platform/http/validation/validation.pipe.js';
import { AppendEventDto, AppendEventQuery } from './dto/append-event.dto.js';
import { AppendResultDto, toAppendResultDto } from './dto/append-result.dto.js';
import { EventsService } from '../events.service.js';

@ApiTags('events')
@ApiBearerAuth()
@ApiErrors(400, 401, 429, 503)
@Controller('v1/tasks/:id/events')
export class TaskEventsController {
  constructor(private readonly events: EventsService) {}

  @Post()
  @ApiOperation({
    summary: 'Answer a task that is waiting for input (input_required): the same task runs again with this message',
    description: 'A task in any other status is a 409 task/not_awaiting_input.',
  })
  @ApiAcceptedResponse({ type: AppendResultDto, description: 'stored; the task is queued again' })
  @ApiCreatedResponse({ type: AppendResultDto, description: 'with ?wait=true: the task has settled again' })
  @ApiOkResponse({ type: AppendResultDto, description: 'a retry of an event id already stored: the original' })
  @ApiErrors(403, 404, 409, 413)
  async continueTask(
    @CurrentAuth() auth: AuthContext,
    @Param('id', UuidParam) id: string,
    @Query() query: AppendEventQuery,
    @Body() body: AppendEventDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AppendResultDto> {
    const outcome = await this.events.continueTask(auth, id, body, { wait: query.wait === true });
    res.status(!outcome.created ? 200 : outcome.response ? 201 : 202);
    return toAppendResultDto(outcome);
  }
}
