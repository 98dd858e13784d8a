import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuditRead } from '../../identity/access-log/audit-read.decorator.js';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { CurrentAuth } from '../../identity/auth/current-auth.decorator.js';
import { UuidParam } from '../../platform/http/validation/validation.pipe.js';
import { TranscriptQuery } from './dto/transcript.query.js';
import { TranscriptsService } from './transcripts.service.js';

@ApiTags('transcripts')
@ApiBearerAuth()
@Controller('v1/sessions/:id/transcript')
export class TranscriptsController {
  constructor(private readonly transcripts: TranscriptsService) {}

  @Get()
  @AuditRead('session.export', { name: 'id', kind: 'session' }, { streamed: true })
  @ApiOperation({ summary: 'Export a whole session (events, roles, times, task outcomes, usage) as a download' })
  @ApiProduces('application/json', 'application/x-ndjson', 'text/markdown', 'text/csv')
  @ApiOkResponse({ description: 'the transcript, streamed' })
  async export(
    @CurrentAuth() auth: AuthContext,
    @Param('id', UuidParam) id: string,
    @Query() query: TranscriptQuery,
    @Res() res: Response,
  ): Promise<void> {
    await this.transcripts.export(auth, id, query.format, res);
  }
}
