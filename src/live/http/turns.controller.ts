import { Body, Controller, Headers, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiExtraModels,
  ApiCreatedResponse,
  ApiOkResponse,
  getSchemaPath,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrors } from '../../platform/http/openapi/api-errors.decorator.js';
import { SSE_CONTENT } from '../../platform/http/openapi/sse-content.js';
import type { Response } from 'express';
import { EventsService } from '../../conversation/events.service.js';
import { AppendEventDto, AppendEventQuery } from '../../conversation/http/dto/append-event.dto.js';
import { AppendResultDto, toAppendResultDto } from '../../conversation/http/dto/append-result.dto.js';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { CurrentAuth } from '../../identity/auth/current-auth.decorator.js';
import { UuidParam } from '../../platform/http/validation/validation.pipe.js';
import { TurnStreamService } from '../turn-stream.service.js';

const RESULT_OR_STREAM = {
  'application/json': { schema: { $ref: getSchemaPath(AppendResultDto) } },
  ...SSE_CONTENT,
};

/**
 * `POST /v1/sessions/:id/events`: a user turn. It lives beside the streams because the same request may answer
 * as a stream (`Accept: text/event-stream`); the JSON answers (202, or 201 with ?wait=true) are the
 * conversation's append. `GET` on the same path (the history) is the conversation's EventsController.
 */
@ApiTags('events')
@ApiBearerAuth()
@ApiExtraModels(AppendResultDto)
@ApiErrors(400, 401, 429, 503)
@Controller('v1/sessions/:id/events')
export class TurnsController {
  constructor(
    private readonly events: EventsService,
    private readonly turnStream: TurnStreamService,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Post a user message; it is stored with the task that answers it',
    description:
      'With `Accept: text/event-stream` the answer is streamed: message.delta events as the agent writes, then the stored answer (session.event) and the final task.status.',
  })
  @ApiAcceptedResponse({
    description:
      'stored; the task is queued (also ?wait=true past WAIT_TIMEOUT_MS); with Accept: text/event-stream, the stream',
    content: RESULT_OR_STREAM,
  })
  @ApiCreatedResponse({
    type: AppendResultDto,
    description: 'with ?wait=true: the task has settled; response holds the answer',
  })
  @ApiOkResponse({
    description: 'a retry of an event id already stored: the original (or its task streamed)',
    content: RESULT_OR_STREAM,
  })
  @ApiErrors(403, 404, 409, 413)
  async append(
    @CurrentAuth() auth: AuthContext,
    @Param('id', UuidParam) id: string,
    @Query() query: AppendEventQuery,
    @Body() body: AppendEventDto,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AppendResultDto | undefined> {
    if (accept?.includes('text/event-stream')) {
      await this.turnStream.stream(auth, id, body, res, { newTask: query.newTask === true });
      return undefined;
    }
    const outcome = await this.events.append(auth, id, body, {
      wait: query.wait === true,
      newTask: query.newTask === true,
    });
    res.status(!outcome.created ? 200 : outcome.response ? 201 : 202);
    return toAppendResultDto(outcome);
  }
}
