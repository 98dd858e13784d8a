import { Controller, Get, Header } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../platform/http/openapi/api-errors.decorator.js';
import { SkipThrottle } from '@nestjs/throttler';
import { assertAdmin, type AuthContext } from '../identity/auth/auth-context.js';
import { CurrentAuth } from '../identity/auth/current-auth.decorator.js';
import { MetricsService } from '../platform/metrics/metrics.service.js';

@ApiTags('operations')
@ApiBearerAuth()
@Controller('metrics')
@SkipThrottle()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: 'Prometheus metrics of this instance (admin tokens)' })
  @ApiOkResponse({
    description: 'the Prometheus text exposition format',
    content: { 'text/plain; version=0.0.4': { schema: { type: 'string' } } },
  })
  @ApiErrors(401, 403, 503)
  async scrape(@CurrentAuth() auth: AuthContext): Promise<string> {
    assertAdmin(auth);
    return this.metrics.registry.metrics();
  }
}
