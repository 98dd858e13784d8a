import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { ApiErrors } from '../../platform/http/openapi/api-errors.decorator.js';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { CurrentAuth } from '../../identity/auth/current-auth.decorator.js';
import { UuidParam } from '../../platform/http/validation/validation.pipe.js';
import { AuditRead } from '../../identity/access-log/audit-read.decorator.js';
import { AuditService } from './audit.service.js';
import {
  AccessLogPageDto,
  AccessLogQuery,
  ChainReportDto,
  ReplayedStateDto,
  ScopedStateDto,
  StateAtQuery,
  toAccessRecordDto,
} from './dto/audit.dto.js';

@ApiTags('audit')
@ApiBearerAuth()
@ApiErrors(400, 401, 429, 503)
@Controller('v1')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('sessions/:id/verify')
  @AuditRead('session.verify', { name: 'id', kind: 'session' })
  @ApiOperation({ summary: "Recompute the session's hash chain and report the first broken seq, if any" })
  @ApiOkResponse({ type: ChainReportDto })
  @ApiErrors(404)
  verify(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string): Promise<ChainReportDto> {
    return this.audit.verify(auth, id);
  }

  @Get('sessions/:id/state')
  @AuditRead('session.state', { name: 'id', kind: 'session' })
  @ApiOperation({
    summary: "The session's state and status as they were at a seq, rebuilt from its events",
    description: 'With scopes=all (and no at): the current state with its user: and app: keys.',
  })
  @ApiExtraModels(ReplayedStateDto, ScopedStateDto)
  @ApiOkResponse({
    schema: { oneOf: [{ $ref: getSchemaPath(ReplayedStateDto) }, { $ref: getSchemaPath(ScopedStateDto) }] },
  })
  @ApiErrors(404)
  stateAt(
    @CurrentAuth() auth: AuthContext,
    @Param('id', UuidParam) id: string,
    @Query() query: StateAtQuery,
  ): Promise<ReplayedStateDto | ScopedStateDto> {
    return query.scopes === 'all'
      ? this.audit.scopedState(auth, id, query.at)
      : this.audit.stateAt(auth, id, query.at!);
  }

  @Get('admin/access-log')
  @ApiOperation({ summary: 'Who read which conversations (admins only), newest first' })
  @ApiOkResponse({ type: AccessLogPageDto })
  @ApiErrors(403)
  async accessLogPage(@CurrentAuth() auth: AuthContext, @Query() query: AccessLogQuery): Promise<AccessLogPageDto> {
    const filter = { actorId: query.actorId, sessionId: query.sessionId, cursor: query.cursor };
    const page = await this.audit.accessLogPage(auth, filter, query.limit);
    return { data: page.data.map(toAccessRecordDto), nextCursor: page.nextCursor };
  }
}
