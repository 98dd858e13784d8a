import { Controller, Get, Header } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
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
  @ApiProduces('text/plain; version=0.0.4')
  @ApiOkResponse({ description: 'the Prometheus text exposition format' })
  async scrape(@CurrentAuth() auth: AuthContext): Promise<string> {
    assertAdmin(auth);
    return this.metrics.registry.metrics();
  }
}
