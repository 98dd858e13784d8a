import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { Client } from 'pg';
import { DatabaseConnection } from '../database/database-connection.js';
import { PrismaService } from '../database/prisma.service.js';
import { CHANNELS, type ChannelName, type ChannelPayloads } from './channels.js';

const RECONNECTED = Symbol('reconnected');

/**
 * One LISTEN connection per instance, fanned out in process. Writers notify inside their transactions (see
 * `notifySql`), so every instance on the database hears about every commit. Prisma cannot LISTEN, hence `pg`.
 * The connection is re-established after a database restart; listeners should also poll as a safety net.
 */
@Injectable()
export class NotificationsService implements OnApplicationShutdown {
  private readonly logger = new Logger(NotificationsService.name);
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private readonly byWire = new Map<string, ChannelName>(
    (Object.keys(CHANNELS) as ChannelName[]).map((name) => [CHANNELS[name].wire, name]),
  );
  private client?: Client;
  private closing = false;
  private reconnectTimer?: NodeJS.Timeout;

  constructor(
    private readonly connection: DatabaseConnection,
    private readonly prisma: PrismaService,
  ) {}

  async start(): Promise<void> {
    this.closing = false;
    await this.connect();
  }

  /** Whether notifications are being received right now (caches that rely on them must not trust stale data). */
  get connected(): boolean {
    return this.client !== undefined;
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

  onReconnect(listener: () => void): () => void {
    this.emitter.on(RECONNECTED, listener);
    return () => this.emitter.off(RECONNECTED, listener);
  }

  private dispatch(wire: string, raw: string): void {
    const channel = this.byWire.get(wire);
    if (!channel) return;
    const payload = (CHANNELS[channel].decode as (raw: string) => unknown)(raw);
    if (payload === undefined) {
      this.logger.warn(`ignored a malformed ${channel} notification`);
      return;
    }
    this.emitter.emit(channel, payload);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.connection.url, keepAlive: true });
    client.on('notification', (msg) => this.dispatch(msg.channel, msg.payload ?? ''));
    client.on('error', (error) => this.handleLoss(client, error));
    client.on('end', () => this.handleLoss(client));
    await client.connect();
    for (const codec of Object.values(CHANNELS)) await client.query(`LISTEN ${codec.wire}`);
    this.client = client;
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

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
