import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { Response } from 'express';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../identity/auth/public.decorator.js';
import { HEALTH_REPORT_SCHEMA, LIVENESS_SCHEMA } from './health-report.schema.js';
import { SchemaStatus } from '../platform/database/schema-status.js';
import { NotificationsService } from '../platform/notifications/notifications.service.js';

/** Terminus's report shape, which /health has always answered with. */
export interface HealthReport {
  status: 'ok' | 'error';
  info: HealthIndicatorResult;
  error: HealthIndicatorResult;
  details: HealthIndicatorResult;
}

/**
 * Liveness (the process answers) and readiness (database reachable, schema current, notifications arriving),
 * for load balancers and orchestrators. Reports say up or down, never the driver's message.
 */
@ApiTags('health')
@Controller('health')
@Public()
@SkipThrottle()
export class HealthController {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly schema: SchemaStatus,
    private readonly notifications: NotificationsService,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process is up and serving HTTP' })
  @ApiOkResponse({ description: 'the process is up', schema: LIVENESS_SCHEMA })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: database reachable, migrations applied, notification listener connected' })
  @ApiOkResponse({ description: 'every check up: database, migrations, listener', schema: HEALTH_REPORT_SCHEMA })
  @ApiServiceUnavailableResponse({
    description: 'status "error", with the failing check marked down (and Retry-After)',
    schema: HEALTH_REPORT_SCHEMA,
  })
  async ready(@Res({ passthrough: true }) res: Response): Promise<HealthReport> {
    const database = await this.database();
    const checks = { ...database, ...(await this.migrations(database)), ...this.listener() };
    return this.report(checks, res);
  }

  @Get()
  @ApiOperation({ summary: 'Database status (kept for compatibility; see /health/ready and /health/live)' })
  @ApiOkResponse({ description: 'the database is up', schema: HEALTH_REPORT_SCHEMA })
  @ApiServiceUnavailableResponse({
    description: 'the database is down (with Retry-After)',
    schema: HEALTH_REPORT_SCHEMA,
  })
  async check(@Res({ passthrough: true }) res: Response): Promise<HealthReport> {
    return this.report(await this.database(), res);
  }

  private report(checks: HealthIndicatorResult, res: Response): HealthReport {
    const entries = Object.entries(checks);
    const up = Object.fromEntries(entries.filter(([, check]) => check.status === 'up'));
    const down = Object.fromEntries(entries.filter(([, check]) => check.status !== 'up'));
    const ok = Object.keys(down).length === 0;
    if (!ok) res.status(503).setHeader('Retry-After', '2');
    return { status: ok ? 'ok' : 'error', info: up, error: down, details: checks };
  }

  private async database(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('database');
    try {
      await withTimeout(this.schema.ping(), 2_000);
      return check.up();
    } catch {
      return check.down({ message: 'unreachable' });
    }
  }

  private async migrations(database: HealthIndicatorResult): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('migrations');
    if (database.database?.status !== 'up') return check.down({ message: 'unknown: the database is unreachable' });
    const pending = await this.schema.pendingMigrations().catch(() => undefined);
    if (!pending) return check.down({ message: 'unknown' });
    return pending.length === 0 ? check.up() : check.down({ pending });
  }

  private listener(): HealthIndicatorResult {
    const check = this.indicators.check('listener');
    return this.notifications.connected ? check.up() : check.down({ message: 'notifications are not arriving' });
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
