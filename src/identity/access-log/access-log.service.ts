import { Injectable } from '@nestjs/common';
import type { AccessLogFilter, AccessRecord, NewAccessRecord } from './access-log.record.js';
import { AccessLogRepository } from './access-log.repository.js';

/**
 * The access log as other modules use it (the A2A reads it records, the audit pages it shows); its repository
 * stays private to identity. Who may read the log is decided by the caller (the audit service).
 */
@Injectable()
export class AccessLogService {
  constructor(private readonly repository: AccessLogRepository) {}

  record(entry: NewAccessRecord): Promise<void> {
    return this.repository.add(entry);
  }

  /** Newest first; keyset on the id. */
  list(filter: AccessLogFilter): Promise<AccessRecord[]> {
    return this.repository.list(filter);
  }
}
