/** A2A push notification configs (one task) and REST webhooks (one session), as the service keeps them. */
export type WebhookKind = 'a2a' | 'session';

export interface WebhookRecord {
  id: string;
  kind: WebhookKind;
  ownerId: string;
  sessionId: string;
  taskId: string | null;
  /** the A2A config id the client sees */
  configId: string | null;
  url: string;
  token: string | null;
  authScheme: string | null;
  authCredentials: string | null;
  /** HMAC-SHA256 key of a session webhook */
  secret: string | null;
  wireVersion: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewWebhook {
  kind: WebhookKind;
  ownerId: string;
  sessionId: string;
  taskId?: string;
  configId?: string;
  url: string;
  token?: string | null;
  authScheme?: string | null;
  authCredentials?: string | null;
  secret?: string;
  wireVersion?: string;
}

export type DeliveryTopic = 'task.status' | 'session.event';
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One row of the outbox: what to tell which webhook, and how the attempts went. */
export interface DeliveryRecord {
  id: number;
  webhookId: string;
  sessionId: string;
  taskId: string | null;
  topic: DeliveryTopic;
  taskStatus: string | null;
  eventId: string | null;
  eventSeq: number | null;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
  /** every attempt that ended, oldest first (an attempt cut short by a crash has no entry) */
  attemptLog: AttemptLogEntry[];
  createdAt: Date;
}

export interface AttemptLogEntry {
  attempt: number;
  at: string;
  statusCode: number | null;
  error: string | null;
}

/** What an attempt ended with, to be recorded on its row. */
export interface AttemptOutcome {
  delivered: boolean;
  statusCode?: number;
  error?: string;
  /** the URL was refused by the SSRF check when connecting */
  refused?: boolean;
  /** when not delivered: retry this many milliseconds from now, or give up (undefined) */
  retryInMs?: number;
}
