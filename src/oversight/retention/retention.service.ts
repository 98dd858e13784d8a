import { Injectable, Logger } from '@nestjs/common';
import { RetentionRepository, type PurgedSession } from './retention.repository.js';

const BATCH = 200;

export interface PurgeResult {
  cutoff: Date;
  sessions: number;
  events: number;
  dryRun: boolean;
  purged: PurgedSession[];
}

/** Removes whole sessions with no activity for `days` days, in batches, recording each in purge_log. */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger(RetentionService.name);

  constructor(private readonly retention: RetentionRepository) {}

  async purge(days: number, purgedBy: string, dryRun = false, now = new Date()): Promise<PurgeResult> {
    if (!Number.isInteger(days) || days < 1) throw new Error('retention days must be a positive integer');
    const cutoff = new Date(now.getTime() - days * 86_400_000);
    const purged: PurgedSession[] = [];
    for (;;) {
      const batch = await this.retention.purgeBatch(cutoff, days, purgedBy, BATCH, dryRun);
      purged.push(...batch);
      if (batch.length < BATCH || dryRun) break;
    }
    const events = purged.reduce((sum, p) => sum + Number(p.eventCount), 0);
    this.logger.log(
      `${dryRun ? 'would purge' : 'purged'} ${purged.length} session(s), ${events} event(s), inactive since before ${cutoff.toISOString()}`,
    );
    return { cutoff, sessions: purged.length, events, dryRun, purged };
  }
}
