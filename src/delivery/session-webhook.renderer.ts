import { Injectable, OnModuleInit } from '@nestjs/common';
import { ConversationReader } from '../conversation/conversation.reader.js';
import { toEventDto } from '../conversation/http/dto/event.dto.js';
import { toTaskDto } from '../conversation/http/dto/task.dto.js';
import { DeliveryRenderers, type RenderedDelivery } from './delivery-renderers.js';
import type { DeliveryRecord, WebhookRecord } from './webhook.record.js';
import { signatureHeader } from '../platform/webhooks/webhook-signature.js';

/**
 * The body of a session webhook delivery: `{id, type, sessionId, createdAt, ...}` with the task (`task.status`:
 * the status it moved to, and the task as it is now) or the stored event (`session.event`), in the REST API's
 * shapes; signed with the webhook's secret (`Webhook-Signature`), and the webhook's token when it has one.
 */
@Injectable()
export class SessionWebhookRenderer implements OnModuleInit {
  constructor(
    private readonly renderers: DeliveryRenderers,
    private readonly reader: ConversationReader,
  ) {}

  onModuleInit(): void {
    this.renderers.register('session', (delivery, webhook) => this.render(delivery, webhook));
  }

  async render(delivery: DeliveryRecord, webhook: WebhookRecord): Promise<RenderedDelivery | undefined> {
    const payload = await this.payload(delivery);
    if (!payload) return undefined;
    const body = JSON.stringify({
      id: String(delivery.id),
      type: delivery.topic,
      sessionId: delivery.sessionId,
      createdAt: delivery.createdAt.toISOString(),
      ...payload,
    });
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'Webhook-Id': String(delivery.id),
      'Webhook-Signature': signatureHeader(webhook.secret ?? '', body),
    };
    if (webhook.token) headers['X-Webhook-Token'] = webhook.token;
    return { body, headers };
  }

  private async payload(delivery: DeliveryRecord): Promise<Record<string, unknown> | undefined> {
    if (delivery.topic === 'task.status') {
      const task = delivery.taskId ? await this.reader.task(delivery.taskId) : undefined;
      return task && { status: delivery.taskStatus, task: toTaskDto(task) };
    }
    const event = delivery.eventId ? await this.reader.event(delivery.sessionId, delivery.eventId) : undefined;
    return event && { event: toEventDto(event) };
  }
}
