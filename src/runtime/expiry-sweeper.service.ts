import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../platform/config/app-config.js';
import { SessionsService } from '../conversation/sessions.service.js';

const BATCH = 100;

/** Marks sessions whose TTL has passed as `expired` (writes also check the TTL themselves). */
@Injectable()
export class ExpirySweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ExpirySweeper.name);
  private timer?: NodeJS.Timeout;
  private sweeping = false;

  constructor(
    private readonly config: AppConfig,
    private readonly sessions: SessionsService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.worker.enabled) return;
    this.timer = setInterval(() => void this.sweep(), this.config.worker.expirySweepMs);
    this.timer.unref();
  }

  async sweep(): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    let expired = 0;
    try {
      for (;;) {
        const round = await this.sessions.expireDue(BATCH);
        expired += round.expired;
        if (round.found < BATCH || round.expired === 0) break;
      }
    } catch (error) {
      this.logger.warn(`expiry sweep failed: ${(error as Error).message}`);
    } finally {
      this.sweeping = false;
    }
    return expired;
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
