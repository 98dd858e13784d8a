/** A session's REST webhook as the conversation writes it (delivery reads and delivers it). */
export interface SessionWebhookRecord {
  id: string;
  sessionId: string;
  url: string;
  token: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface SessionWebhookInput {
  url: string;
  token?: string | null;
}

export interface SavedSessionWebhook {
  webhook: SessionWebhookRecord;
  /** the signing secret, only when the webhook was created by this call */
  secret?: string;
}
