import { Injectable } from '@nestjs/common';
import type { DeliveryRecord, WebhookKind, WebhookRecord } from './webhook.record.js';

/** A delivery as it goes on the wire: its body and headers (auth included). */
export interface RenderedDelivery {
  body: string;
  headers: Record<string, string>;
}

/** Builds the request of one delivery; undefined when there is nothing to send any more (the task is gone). */
export type DeliveryRenderer = (
  delivery: DeliveryRecord,
  webhook: WebhookRecord,
) => Promise<RenderedDelivery | undefined>;

/**
 * Who writes the body of which kind of webhook. The delivery module renders session webhooks itself; the A2A
 * module registers the renderer of A2A push notifications (the protocol's payloads are its business), so the
 * delivery module needs no import of it.
 */
@Injectable()
export class DeliveryRenderers {
  private readonly byKind = new Map<WebhookKind, DeliveryRenderer>();

  register(kind: WebhookKind, renderer: DeliveryRenderer): void {
    this.byKind.set(kind, renderer);
  }

  render(delivery: DeliveryRecord, webhook: WebhookRecord): Promise<RenderedDelivery | undefined> {
    const renderer = this.byKind.get(webhook.kind);
    return renderer ? renderer(delivery, webhook) : Promise.resolve(undefined);
  }
}
