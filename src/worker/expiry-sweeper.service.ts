import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { SessionsRepository } from '../sessions/sessions.repository.js';
import { SessionsService } from '../sessions/sessions.service.js';

const BATCH = 100;

/** Marks sessions whose TTL has passed as `expired` (writes also check the TTL themselves). */
@Injectable()
export class ExpirySweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ExpirySweeper.name);
  private timer?: NodeJS.Timeout;
  private sweeping = false;

  constructor(
    private readonly config: AppConfig,
    private readonly sessionsRepository: SessionsRepository,
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
        const ids = await this.sessionsRepository.findExpired(BATCH);
        let round = 0;
        for (const id of ids) if (await this.sessions.expire(id)) round++;
        expired += round;
        if (ids.length < BATCH || round === 0) break;
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
