import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { Client } from 'pg';
import { DatabaseConnection } from './database-connection.js';

export const CHANNELS = {
  /** payload: task id; a task became claimable */
  taskQueued: 'agent_task_queued',
  /** payload: `<sessionId>:<taskId>:<status>`; a task changed status */
  taskStatus: 'agent_task_status',
  /** payload: `<sessionId>:<seq>`; an event was appended */
  sessionEvent: 'agent_session_event',
  /** payload: JSON {t: taskId, s: sessionId, i: index, d: text}; a streaming agent produced text (not stored) */
  taskDelta: 'agent_task_delta',
  /** payload: token id; a token was revoked (caches must drop it) */
  tokenRevoked: 'agent_token_revoked',
} as const;

export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];

/**
 * One LISTEN connection per instance, fanned out in process. NOTIFY is sent by the writers inside their
 * transactions, so every instance on the database hears about every commit. Prisma cannot LISTEN, hence `pg`.
 * The connection is re-established after a database restart; listeners should also poll as a safety net.
 */
@Injectable()
export class PgNotificationsService implements OnApplicationShutdown {
  private readonly logger = new Logger(PgNotificationsService.name);
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private client?: Client;
  private closing = false;
  private reconnectTimer?: NodeJS.Timeout;

  constructor(private readonly connection: DatabaseConnection) {}

  async start(): Promise<void> {
    this.closing = false;
    await this.connect();
  }

  /** Whether notifications are being received right now (caches that rely on them must not trust stale data). */
  get connected(): boolean {
    return this.client !== undefined;
  }

  on(channel: Channel, listener: (payload: string) => void): () => void {
    this.emitter.on(channel, listener);
    return () => this.emitter.off(channel, listener);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.connection.url, keepAlive: true });
    client.on('notification', (msg) => this.emitter.emit(msg.channel, msg.payload ?? ''));
    client.on('error', (error) => this.handleLoss(client, error));
    client.on('end', () => this.handleLoss(client));
    await client.connect();
    for (const channel of Object.values(CHANNELS)) await client.query(`LISTEN ${channel}`);
    this.client = client;
    this.emitter.emit('reconnected');
  }

  onReconnect(listener: () => void): () => void {
    this.emitter.on('reconnected', listener);
    return () => this.emitter.off('reconnected', listener);
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
