import { ApiErrors } from '../../platform/http/openapi/api-errors.decorator.js';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { CurrentAuth } from '../../identity/auth/current-auth.decorator.js';
import { AuditRead } from '../../identity/access-log/audit-read.decorator.js';
import { ServiceStatsDto, StatsQuery, toServiceStatsDto } from './dto/stats.dto.js';
import { StatsService } from './stats.service.js';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get('stats')
  @AuditRead('admin.stats')
  @ApiOperation({ summary: 'Sessions and tasks by status, daily activity, oldest queued task (admins only)' })
  @ApiOkResponse({ type: ServiceStatsDto })
  @ApiErrors(400, 401, 403, 429, 503)
  async overview(@CurrentAuth() auth: AuthContext, @Query() query: StatsQuery): Promise<ServiceStatsDto> {
    return toServiceStatsDto(await this.stats.overview(auth, query.days));
  }
}
