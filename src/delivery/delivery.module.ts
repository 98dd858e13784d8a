import { Module } from '@nestjs/common';
import { ConversationModule } from '../conversation/conversation.module.js';
import { DeliveriesRepository } from './deliveries.repository.js';
import { DeliveryRenderers } from './delivery-renderers.js';
import { DeliveryWorker } from './delivery-worker.service.js';
import { WebhooksController } from './http/webhooks.controller.js';
import { PushConfigsService } from './push-configs.service.js';
import { SessionWebhookRenderer } from './session-webhook.renderer.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { WebhooksService } from './webhooks.service.js';

/**
 * Outbound notifications: REST session webhooks, A2A push notification configs (stored for the A2A module),
 * and the worker that delivers the outbox rows the database writes with every task status change and agent
 * event (see docs/a2a.md and the README's webhook section).
 */
@Module({
  imports: [ConversationModule],
  controllers: [WebhooksController],
  providers: [
    WebhooksRepository,
    DeliveriesRepository,
    WebhooksService,
    PushConfigsService,
    DeliveryRenderers,
    SessionWebhookRenderer,
    DeliveryWorker,
  ],
  exports: [PushConfigsService, DeliveryRenderers],
})
export class DeliveryModule {}
