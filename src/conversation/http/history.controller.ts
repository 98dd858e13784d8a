import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { AuditRead } from '../../identity/access-log/audit-read.decorator.js';
import { CurrentAuth } from '../../identity/auth/current-auth.decorator.js';
import { ApiErrors } from '../../platform/http/openapi/api-errors.decorator.js';
import { UuidParam } from '../../platform/http/validation/validation.pipe.js';
import { HistoryService } from '../history.service.js';
import { toEventDto } from './dto/event.dto.js';
import {
  CompactionDto,
  HistoryEditDto,
  HistoryPageDto,
  HistoryQuery,
  RevertDto,
  RevertedDto,
} from './dto/history.dto.js';

@ApiTags('history')
@ApiBearerAuth()
@ApiErrors(400, 401, 429, 503)
@Controller('v1/sessions/:id/history')
export class HistoryController {
  constructor(private readonly history: HistoryService) {}

  @Get()
  @AuditRead('session.history', { name: 'id', kind: 'session' })
  @ApiOperation({ summary: 'The effective conversation (after reverts, resets and compactions), keyset-paginated' })
  @ApiOkResponse({ type: HistoryPageDto })
  @ApiErrors(404)
  async page(
    @CurrentAuth() auth: AuthContext,
    @Param('id', UuidParam) id: string,
    @Query() query: HistoryQuery,
  ): Promise<HistoryPageDto> {
    const page = await this.history.page(auth, id, query.cursor, query.limit);
    return { items: page.items.map(toEventDto), nextCursor: page.nextCursor };
  }

  @Post('revert')
  @ApiOperation({ summary: 'Remove the last item(s) from the effective history (recorded as a revert event)' })
  @ApiCreatedResponse({ type: RevertedDto })
  @ApiErrors(403, 404, 409, 413)
  async revert(
    @CurrentAuth() auth: AuthContext,
    @Param('id', UuidParam) id: string,
    @Body() body: RevertDto,
  ): Promise<RevertedDto> {
    const reverted = await this.history.revert(auth, id, body.items ?? 1);
    return { event: toEventDto(reverted.event), removed: reverted.removed.map(toEventDto) };
  }

  @Post('reset')
  @ApiOperation({ summary: 'Clear the effective history (recorded as a reset event)' })
  @ApiCreatedResponse({ type: HistoryEditDto })
  @ApiErrors(403, 404, 409)
  async reset(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string): Promise<HistoryEditDto> {
    return { event: toEventDto(await this.history.reset(auth, id)) };
  }

  @Post('compaction')
  @ApiOperation({ summary: 'Replace the items up to throughSeq by a summary (recorded as a compaction event)' })
  @ApiCreatedResponse({ type: HistoryEditDto })
  @ApiErrors(403, 404, 409, 413)
  async compact(
    @CurrentAuth() auth: AuthContext,
    @Param('id', UuidParam) id: string,
    @Body() body: CompactionDto,
  ): Promise<HistoryEditDto> {
    return { event: toEventDto(await this.history.compact(auth, id, body.throughSeq, body.summary.parts)) };
  }
}
