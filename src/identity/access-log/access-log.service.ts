import { Injectable, Logger } from '@nestjs/common';
import { readsAllUsers, type AuthContext } from '../auth/auth-context.js';
import type { JsonObject } from '../../platform/json/json.js';
import type { AccessLogFilter, AccessRecord } from './access-log.record.js';
import { AccessLogRepository } from './access-log.repository.js';

export type { AccessLogFilter, AccessRecord } from './access-log.record.js';

/** One read of conversation data, as it is recorded. */
export interface ConversationRead {
  action: string;
  sessionId?: string | null;
  taskId?: string | null;
  detail: JsonObject;
}

/**
 * Who read what: every read of conversation data by a reviewer or admin is recorded (a user reading its own
 * data is not). A failure to record is logged, never hidden and never failing the read itself.
 */
@Injectable()
export class AccessLogService {
  private readonly logger = new Logger(AccessLogService.name);

  constructor(private readonly repository: AccessLogRepository) {}

  async recordRead(auth: AuthContext, read: ConversationRead): Promise<void> {
    if (!readsAllUsers(auth)) return;
    try {
      await this.repository.add({
        tokenId: auth.tokenId,
        actorId: auth.userId,
        actorRole: auth.role,
        action: read.action,
        sessionId: read.sessionId ?? null,
        taskId: read.taskId ?? null,
        detail: read.detail,
      });
    } catch (error) {
      this.logger.error(`could not record ${read.action} by ${auth.userId}: ${(error as Error).message}`);
    }
  }

  /** Newest first. */
  list(filter: AccessLogFilter): Promise<AccessRecord[]> {
    return this.repository.list(filter);
  }
}
