import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Client } from 'pg';
import { DatabaseConnection } from '../database/database-connection.js';
import { PrismaService } from '../database/prisma.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { CHANNELS, type ChannelName, type ChannelPayloads } from './channels.js';
import { CoalescingPublisher } from './coalescing-publisher.js';
import type { PostCommitNotifier } from './post-commit.js';

const RECONNECTED = Symbol('reconnected');

/**
 * One LISTEN connection per instance (DATABASE_LISTEN_URL: a direct session, since a transaction pooler drops
 * notifications), fanned out in process. The hot writers (appends, task moves) hand their notifications over
 * after commit (`notifyAfterCommit`, see post-commit.ts for the trade-off); they are coalesced and sent together
 * every NOTIFY_COALESCE_MS, so every instance hears about every commit without NOTIFY in the write transactions.
 * Prisma cannot LISTEN, hence `pg`. The connection is re-established after a database restart; listeners also poll as a safety net. A self-check notifies this instance every
 * LISTENER_CHECK_MS: when its own pings stop arriving the listener is deaf (logged, `connected` turns false so
 * caches stop trusting themselves) and it reconnects.
 */
@Injectable()
export class NotificationsService implements BeforeApplicationShutdown, OnApplicationShutdown, PostCommitNotifier {
  private readonly logger = new Logger(NotificationsService.name);
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private readonly byWire = new Map<string, ChannelName>(
    (Object.keys(CHANNELS) as ChannelName[]).map((name) => [CHANNELS[name].wire, name]),
  );
  private readonly instance = randomUUID().slice(0, 8);
  private client?: Client;
  private closing = false;
  private reconnectTimer?: NodeJS.Timeout;
  private checkTimer?: NodeJS.Timeout;
  /** when the oldest ping still unanswered was sent */
  private unansweredSince?: number;
  private deaf = false;
  private readonly batch: CoalescingPublisher;
  /** payloads this instance sent after commit and already delivered in process: their echo is not delivered again */
  private readonly echoes = new Map<string, number>();

  constructor(
    private readonly connection: DatabaseConnection,
    private readonly prisma: PrismaService,
    private readonly metrics: MetricsService,
    private readonly checkMs: number,
    coalesceMs = 0,
  ) {
    this.batch = new CoalescingPublisher(
      coalesceMs,
      async (wires, payloads) => {
        this.expectEchoes(wires, payloads, 1);
        try {
          await this.prisma.$executeRaw`
            SELECT pg_notify(n.wire, n.payload) FROM unnest(${wires}::text[], ${payloads}::text[]) AS n(wire, payload)`;
        } catch (error) {
          this.expectEchoes(wires, payloads, -1);
          throw error;
        }
      },
      (error) => this.logger.warn(`notifications of committed writes were not sent: ${(error as Error).message}`),
    );
  }

  async start(): Promise<void> {
    this.closing = false;
    await this.connect();
    this.on('listenerPing', (ping) => this.heard(ping));
    if (this.checkMs > 0) {
      this.checkTimer = setInterval(() => void this.selfCheck(), this.checkMs);
      this.checkTimer.unref();
    }
  }

  /** Whether notifications are being received right now (caches that rely on them must not trust stale data). */
  get connected(): boolean {
    return this.client !== undefined && !this.deaf;
  }

  on<C extends ChannelName>(channel: C, handler: (payload: ChannelPayloads[C]) => void): () => void {
    const listener = handler as (payload: unknown) => void;
    this.emitter.on(channel, listener);
    return () => this.emitter.off(channel, listener);
  }

  /** Notifies every instance, now (outside any transaction). */
  async publish<C extends ChannelName>(channel: C, payload: ChannelPayloads[C]): Promise<void> {
    const codec = CHANNELS[channel];
    await this.prisma.$executeRaw`SELECT pg_notify(${codec.wire}, ${codec.encode(payload)})`;
  }

  /**
   * For writes that have committed: delivered at once in this process (the in-process hand-off: a local worker
   * claims a new task, a local `?wait=true` request wakes, without the database round trip) and to every other
   * instance with the next coalesced batch (see post-commit.ts). Claims still go through the database, so
   * leases and SKIP LOCKED keep deciding who runs what.
   */
  notifyAfterCommit<C extends ChannelName>(channel: C, payload: ChannelPayloads[C]): void {
    this.publishSoon(channel, payload);
  }

  /**
   * For what is not a write (a streaming agent's text): delivered at once in this process, and to every other
   * instance with the next coalesced batch, in the order it was handed over relative to the writes' notifications.
   * No statement of its own, so no commit of its own.
   */
  publishSoon<C extends ChannelName>(channel: C, payload: ChannelPayloads[C]): void {
    this.batch.add(channel, payload);
    this.emitter.emit(channel, payload);
  }

  /** Sends the notifications still gathered (tests, shutdown). */
  flushPending(): Promise<void> {
    return this.batch.flush();
  }

  onReconnect(listener: () => void): () => void {
    this.emitter.on(RECONNECTED, listener);
    return () => this.emitter.off(RECONNECTED, listener);
  }

  private async selfCheck(): Promise<void> {
    const waited = this.unansweredSince === undefined ? 0 : Date.now() - this.unansweredSince;
    if (this.client && !this.deaf && waited > 3 * this.checkMs) {
      this.deaf = true;
      this.logger.warn(
        `this instance's own notifications have not arrived for ${waited} ms: the listener is deaf; reconnecting`,
      );
      this.handleLoss(this.client);
    }
    const sentAt = Date.now();
    // Set before sending: the ping may come back before publish() resolves.
    this.unansweredSince ??= sentAt;
    await this.publish('listenerPing', { instance: this.instance, sentAt }).catch(() => undefined);
  }

  private heard(ping: { instance: string; sentAt: number }): void {
    if (ping.instance !== this.instance) return;
    this.metrics.notificationLag.observe(Math.max(0, Date.now() - ping.sentAt) / 1000);
    this.unansweredSince = undefined;
    if (!this.deaf) return;
    this.deaf = false;
    this.logger.log('notifications arrive again');
  }

  private expectEchoes(wires: string[], payloads: string[], delta: 1 | -1): void {
    // bounded: a listener that went deaf would otherwise let this grow; a repeated hint is harmless
    if (this.echoes.size > 10_000) this.echoes.clear();
    wires.forEach((wire, i) => {
      const key = `${wire}\u0000${payloads[i]}`;
      const count = (this.echoes.get(key) ?? 0) + delta;
      if (count > 0) this.echoes.set(key, count);
      else this.echoes.delete(key);
    });
  }

  private dispatch(wire: string, raw: string): void {
    const channel = this.byWire.get(wire);
    if (!channel) return;
    if (this.echoes.has(`${wire}\u0000${raw}`)) return this.expectEchoes([wire], [raw], -1);
    const payload = (CHANNELS[channel].decode as (raw: string) => unknown)(raw);
    if (payload === undefined) {
      this.logger.warn(`ignored a malformed ${channel} notification`);
      return;
    }
    this.emitter.emit(channel, payload);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.connection.listenUrl, keepAlive: true });
    client.on('notification', (msg) => this.dispatch(msg.channel, msg.payload ?? ''));
    client.on('error', (error) => this.handleLoss(client, error));
    client.on('end', () => this.handleLoss(client));
    await client.connect();
    for (const codec of Object.values(CHANNELS)) await client.query(`LISTEN ${codec.wire}`);
    this.client = client;
    this.unansweredSince = undefined;
    this.echoes.clear();
    this.emitter.emit(RECONNECTED);
  }

  private handleLoss(client: Client, error?: Error): void {
    if (this.client !== client || this.closing) return;
    this.client = undefined;
    this.logger.warn(`notification connection lost${error ? `: ${error.message}` : ''}; reconnecting`);
    client.end().catch(() => undefined);
    this.scheduleReconnect(500);
  }

  private scheduleReconnect(delayMs: number): void {
    if (this.closing) return;
    this.reconnectTimer = setTimeout(() => {
      this.connect().catch(() => this.scheduleReconnect(Math.min(delayMs * 2, 5_000)));
    }, delayMs);
    this.reconnectTimer.unref();
  }

  /** Before the database goes away, so its disconnect is not mistaken for a lost connection. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.batch.flush();
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.checkTimer);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.beforeApplicationShutdown();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
