import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { AppConfig } from '../config/app-config.js';
import { errorMessage } from '../errors/error-message.js';

const CONNECT_TIMEOUT_MS = 5000;
const COMMAND_TIMEOUT_MS = 2000;

/**
 * The optional Redis client behind shared rate limits. Opened at boot when REDIS_URL is set, and boot fails if
 * Redis does not answer: an instance that silently counted alone would multiply every limit by the instance count.
 * Commands are not queued while Redis is away, so a request fails fast instead of waiting for a reconnect.
 */
export class RedisConnection implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private reportedDown = false;

  private constructor(readonly client: Redis | undefined) {}

  static async open(config: AppConfig['redis']): Promise<RedisConnection> {
    if (!config.url) return new RedisConnection(undefined);
    const client = new Redis(config.url, {
      keyPrefix: config.keyPrefix,
      lazyConnect: true,
      connectTimeout: CONNECT_TIMEOUT_MS,
      commandTimeout: COMMAND_TIMEOUT_MS,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
    });
    let lastError: unknown;
    client.on('error', (error: unknown) => (lastError = error));
    try {
      await client.connect();
      await client.ping();
    } catch (error) {
      client.disconnect();
      throw new Error(
        `Redis at ${withoutCredentials(config.url)} is not reachable (${errorMessage(lastError ?? error)}); ` +
          'REDIS_URL is set, so rate limits need it: start Redis or unset REDIS_URL',
        { cause: error },
      );
    }
    const connection = new RedisConnection(client);
    connection.watch(client);
    return connection;
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.client) return;
    await this.client.quit().catch(() => this.client?.disconnect());
  }

  /** One warning when Redis goes away and one line when it is back, not one per reconnect attempt. */
  private watch(client: Redis): void {
    client.removeAllListeners('error');
    client.on('error', (error: unknown) => {
      if (this.reportedDown) return;
      this.reportedDown = true;
      this.logger.warn(`Redis is unreachable, rate-limited requests get 503 until it is back: ${errorMessage(error)}`);
    });
    client.on('ready', () => {
      if (!this.reportedDown) return;
      this.reportedDown = false;
      this.logger.log('Redis is reachable again');
    });
  }
}

function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return 'REDIS_URL';
  }
}
