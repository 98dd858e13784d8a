import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, PrismaHealthIndicator, type HealthCheckResult } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '../identity/auth/public.decorator.js';
import { PrismaService } from '../platform/database/prisma.service.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: PrismaHealthIndicator,
    private readonly prisma: PrismaService,
  ) {}

  /** Terminus's report either way; 503 (with Retry-After) when a check fails, so load balancers can act on it. */
  @Get()
  @Public()
  @ApiOperation({ summary: 'Liveness and database status' })
  @ApiOkResponse({ description: '{status: "ok", info: {database: {status: "up"}}, …}' })
  @ApiServiceUnavailableResponse({ description: '{status: "error", error: {database: {status: "down"}}, …}' })
  async check(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.db.pingCheck('database', this.prisma, { timeout: 2_000 })]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      res.status(503).setHeader('Retry-After', '2');
      return statusOnly(error.getResponse() as HealthCheckResult);
    }
  }
}

/** A failed check's report without its error text: the driver's message is for the logs, not for anyone polling. */
function statusOnly(result: HealthCheckResult): HealthCheckResult {
  const strip = (section?: Partial<HealthCheckResult['details']>) =>
    Object.fromEntries(Object.entries(section ?? {}).map(([name, indicator]) => [name, { status: indicator?.status ?? 'down' }]));
  return { status: result.status, info: strip(result.info), error: strip(result.error), details: strip(result.details) };
}
