import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../platform/http/openapi/api-errors.decorator.js';
import type { Response } from 'express';
import { AuditRead } from '../../identity/access-log/audit-read.decorator.js';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { CurrentAuth } from '../../identity/auth/current-auth.decorator.js';
import { UuidParam } from '../../platform/http/validation/validation.pipe.js';
import { TranscriptQuery } from './dto/transcript.query.js';
import { TRANSCRIPT_CONTENT } from './dto/transcript-content.js';
import { EventDto } from '../../conversation/http/dto/event.dto.js';
import { SessionDto } from '../../conversation/http/dto/session.dto.js';
import { AnnotationDto } from '../annotations/dto/annotation.dto.js';
import { TranscriptsService } from './transcripts.service.js';

@ApiTags('transcripts')
@ApiBearerAuth()
@ApiErrors(400, 401, 429, 503)
@ApiExtraModels(SessionDto, EventDto, AnnotationDto)
@Controller('v1/sessions/:id/transcript')
export class TranscriptsController {
  constructor(private readonly transcripts: TranscriptsService) {}

  @Get()
  @AuditRead('session.export', { name: 'id', kind: 'session' }, { streamed: true })
  @ApiOperation({ summary: 'Export a whole session (events, roles, times, task outcomes, usage) as a download' })
  @ApiOkResponse({
    description: 'the transcript, streamed, in the media type of ?format=',
    content: TRANSCRIPT_CONTENT,
  })
  @ApiErrors(404)
  async export(
    @CurrentAuth() auth: AuthContext,
    @Param('id', UuidParam) id: string,
    @Query() query: TranscriptQuery,
    @Res() res: Response,
  ): Promise<void> {
    await this.transcripts.export(auth, id, query.format, res);
  }
}
