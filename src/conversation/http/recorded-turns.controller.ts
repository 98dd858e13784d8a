import { Body, Controller, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { CurrentAuth } from '../../identity/auth/current-auth.decorator.js';
import { ApiErrors } from '../../platform/http/openapi/api-errors.decorator.js';
import { UuidParam } from '../../platform/http/validation/validation.pipe.js';
import { RecordedTurnsService } from '../recorded-turns.service.js';
import { toEventDto } from './dto/event.dto.js';
import { RecordTurnDto, RecordedTurnDto } from './dto/record-turn.dto.js';
import { toTaskDto } from './dto/task.dto.js';

@ApiTags('turns')
@ApiBearerAuth()
@ApiErrors(400, 401, 429, 503)
@Controller('v1/sessions/:id/turns')
export class RecordedTurnsController {
  constructor(private readonly turns: RecordedTurnsService) {}

  @Post()
  @ApiOperation({
    summary: 'Record a whole turn an agent ran in the client: input, steps, answer, usage, state patch, artifacts',
    description:
      'One transaction; the task is created completed (or input_required). Idempotent by turnId: the same body again is a 200 with the original, another body a 409 turn/conflict. A session with a queued or running task is a 409 session/busy.',
  })
  @ApiCreatedResponse({ type: RecordedTurnDto, description: 'recorded' })
  @ApiOkResponse({ type: RecordedTurnDto, description: 'a retry of a turn already recorded: the original' })
  @ApiErrors(403, 404, 409, 413)
  async record(
    @CurrentAuth() auth: AuthContext,
    @Param('id', UuidParam) id: string,
    @Body() body: RecordTurnDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RecordedTurnDto> {
    const recorded = await this.turns.record(auth, id, body);
    res.status(recorded.created ? 201 : 200);
    return { task: toTaskDto(recorded.task), events: recorded.events.map(toEventDto) };
  }
}
