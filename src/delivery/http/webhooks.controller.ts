import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { AuditRead } from '../../identity/access-log/audit-read.decorator.js';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { CurrentAuth } from '../../identity/auth/current-auth.decorator.js';
import { ApiErrors } from '../../platform/http/openapi/api-errors.decorator.js';
import { UuidParam } from '../../platform/http/validation/validation.pipe.js';
import { WebhooksService } from '../webhooks.service.js';
import {
  DeliveriesQuery,
  DeliveryPageDto,
  PutWebhookDto,
  WebhookDto,
  toDeliveryDto,
  toWebhookDto,
} from './dto/webhook.dto.js';

@ApiTags('webhooks')
@ApiBearerAuth()
@ApiErrors(400, 401, 429, 503)
@Controller('v1/sessions/:id/webhook')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Put()
  @ApiOperation({
    summary: "Set the session's webhook: 201 with its signing secret when created, 200 when its URL or token changed",
  })
  @ApiCreatedResponse({ type: WebhookDto })
  @ApiOkResponse({ type: WebhookDto })
  @ApiErrors(403, 404, 413)
  async put(
    @CurrentAuth() auth: AuthContext,
    @Param('id', UuidParam) id: string,
    @Body() body: PutWebhookDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<WebhookDto> {
    const saved = await this.webhooks.put(auth, id, body);
    res.status(saved.secret ? 201 : 200);
    return toWebhookDto(saved.webhook, saved.secret);
  }

  @Get()
  @AuditRead('session.webhook', { name: 'id', kind: 'session' })
  @ApiOperation({ summary: "The session's webhook (without its secret)" })
  @ApiOkResponse({ type: WebhookDto })
  @ApiErrors(404)
  async get(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string): Promise<WebhookDto> {
    return toWebhookDto(await this.webhooks.get(auth, id));
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: "Remove the session's webhook and its pending deliveries" })
  @ApiNoContentResponse()
  @ApiErrors(403, 404)
  async delete(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string): Promise<void> {
    await this.webhooks.delete(auth, id);
  }

  @Get('deliveries')
  @AuditRead('session.webhook.deliveries', { name: 'id', kind: 'session' })
  @ApiOperation({ summary: "The webhook's deliveries, newest first, with their attempts" })
  @ApiOkResponse({ type: DeliveryPageDto })
  @ApiErrors(404)
  async deliveries(
    @CurrentAuth() auth: AuthContext,
    @Param('id', UuidParam) id: string,
    @Query() query: DeliveriesQuery,
  ): Promise<DeliveryPageDto> {
    const page = await this.webhooks.listDeliveries(auth, id, query.cursor, query.limit);
    return { data: page.data.map(toDeliveryDto), nextCursor: page.nextCursor };
  }
}
