import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../platform/config/app-config.js';
import { MetricsService } from '../platform/metrics/metrics.service.js';
import { NotificationsService } from '../platform/notifications/notifications.service.js';
import { DeliveriesRepository } from './deliveries.repository.js';
import { DeliveryRenderers } from './delivery-renderers.js';
import type { AttemptOutcome, DeliveryRecord } from './webhook.record.js';
import { postWebhook } from './webhook-http.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { coalescedRound } from '../platform/async/coalesced-round.js';

/** Time a claimed delivery stays leased beyond its attempt's timeout, before another worker may retry it. */
const LEASE_MARGIN_MS = 1000;

/**
 * The delay before retry number `attempt` (1 = the first retry): exponential, capped, with "equal jitter"
 * (between half and all of it), so receivers that fail together are not retried in lockstep.
 */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random = Math.random()): number {
  const delay = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(delay / 2 + (random * delay) / 2);
}

/**
 * Delivers the outbox: claims due rows (FOR UPDATE SKIP LOCKED, with a lease), POSTs each with a timeout, and
 * records the outcome: delivered on a 2xx, otherwise retried with backoff until WEBHOOK_MAX_ATTEMPTS. Woken by
 * NOTIFY when a delivery is queued, and polls, which also retries the rows of a worker that died mid-attempt
 * (their lease runs out). Runs where the task worker runs (WORKER_ENABLED).
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeliveryWorker.name);
  private readonly running = new Set<Promise<void>>();
  private pollTimer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  /** Claims as many as there are free slots; concurrent wake-ups coalesce into one more round. */
  readonly kick = coalescedRound(() => this.claimRound(), {
    stopped: () => this.stopped,
    onError: (error) => this.logger.warn(`claiming deliveries failed: ${(error as Error).message}`),
  });
  private stopped = false;

  constructor(
    private readonly config: AppConfig,
    private readonly deliveries: DeliveriesRepository,
    private readonly webhooks: WebhooksRepository,
    private readonly renderers: DeliveryRenderers,
    private readonly notifications: NotificationsService,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.worker.enabled) return;
    this.unsubscribe = this.notifications.on('deliveryQueued', () => this.kick());
    this.pollTimer = setInterval(() => this.kick(), this.config.worker.pollMs);
    this.pollTimer.unref();
    this.kick();
  }

  private async claimRound(): Promise<void> {
    const { concurrency, timeoutMs } = this.config.webhooks;
    for (;;) {
      const free = concurrency - this.running.size;
      if (free <= 0 || this.stopped) return;
      const claimed = await this.deliveries.claim(free, timeoutMs + LEASE_MARGIN_MS);
      for (const delivery of claimed) {
        const run = this.attempt(delivery)
          .catch((error: unknown) =>
            this.logger.error(`delivery ${delivery.id} could not be recorded: ${(error as Error).message}`),
          )
          .finally(() => {
            this.running.delete(run);
            this.kick();
          });
        this.running.add(run);
      }
      if (claimed.length < free) return;
    }
  }

  private async attempt(delivery: DeliveryRecord): Promise<void> {
    const outcome = await this.send(delivery);
    await this.deliveries.record(delivery, outcome);
    const label = outcome.delivered
      ? 'delivered'
      : outcome.refused
        ? 'refused'
        : outcome.retryInMs !== undefined
          ? 'retry'
          : 'failed';
    this.metrics.webhookDeliveries.inc({ outcome: label });
  }

  private async send(delivery: DeliveryRecord): Promise<AttemptOutcome> {
    const webhook = await this.webhooks.findById(delivery.webhookId);
    const rendered = webhook && (await this.renderers.render(delivery, webhook));
    if (!webhook || !rendered) return { delivered: false, error: 'nothing to deliver: the task or event is gone' };
    const { timeoutMs, allowPrivate } = this.config.webhooks;
    const headers = { 'User-Agent': 'agent-session-service', ...rendered.headers };
    const result = await postWebhook({ url: webhook.url, body: rendered.body, headers, timeoutMs, allowPrivate });
    if (result.statusCode !== undefined && result.statusCode >= 200 && result.statusCode < 300)
      return { delivered: true, statusCode: result.statusCode };
    // a refused address (SSRF check at connect time) is not retried: the receiver's DNS answer decided it
    if (result.refused) return { delivered: false, refused: true, error: result.error };
    return {
      delivered: false,
      statusCode: result.statusCode,
      error: result.error ?? `HTTP ${result.statusCode}`,
      retryInMs: this.retryDelay(delivery.attempts),
    };
  }

  /** How long until the next attempt; undefined once the attempts are spent. */
  private retryDelay(attempts: number): number | undefined {
    const { maxAttempts, backoffMs: base, backoffMaxMs } = this.config.webhooks;
    return attempts >= maxAttempts ? undefined : backoffMs(attempts, base, backoffMaxMs);
  }

  /** Stops claiming and lets attempts in flight end (each is bounded by its timeout); leased rows are retried. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    this.unsubscribe?.();
    const grace = new Promise((resolve) => setTimeout(resolve, this.config.worker.shutdownGraceMs).unref());
    await Promise.race([Promise.allSettled([...this.running]), grace]);
  }
}
