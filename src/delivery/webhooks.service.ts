import { Injectable } from '@nestjs/common';
import { ownerScope, type AuthContext } from '../identity/auth/auth-context.js';
import { ConversationReader } from '../conversation/conversation.reader.js';
import type { SavedSessionWebhook, SessionWebhookInput } from '../conversation/records/session-webhook.record.js';
import { SessionsService } from '../conversation/sessions.service.js';
import { DomainError, Errors } from '../platform/errors/domain-error.js';
import { cursorCodec, fetchPage } from '../platform/http/pagination.js';
import { DeliveriesRepository } from './deliveries.repository.js';
import type { DeliveryRecord, WebhookRecord } from './webhook.record.js';
import { WebhooksRepository } from './webhooks.repository.js';

const deliveryCursor = cursorCodec({ id: 'bigint' });
const webhookNotFound = () => new DomainError('webhook/not_found', 'this session has no webhook', 404);

export interface DeliveryPage {
  data: DeliveryRecord[];
  nextCursor: string | null;
}

/**
 * REST session webhooks: one per session, owned by the session's owner. Creating one returns its signing secret
 * once; changing its URL or token keeps the secret. The writes are the conversation's (SessionsService, which
 * also sets them on create and PATCH); reviewers and admins may read a webhook and its deliveries.
 */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly reader: ConversationReader,
    private readonly webhooks: WebhooksRepository,
    private readonly deliveries: DeliveriesRepository,
  ) {}

  put(auth: AuthContext, sessionId: string, input: SessionWebhookInput): Promise<SavedSessionWebhook> {
    return this.sessions.setWebhook(auth, sessionId, input);
  }

  async get(auth: AuthContext, sessionId: string): Promise<WebhookRecord> {
    const session = await this.reader.session(sessionId, ownerScope(auth));
    if (!session) throw Errors.sessionNotFound();
    const webhook = await this.webhooks.findSessionWebhook(sessionId);
    if (!webhook) throw webhookNotFound();
    return webhook;
  }

  async delete(auth: AuthContext, sessionId: string): Promise<void> {
    if (!(await this.sessions.removeWebhook(auth, sessionId))) throw webhookNotFound();
  }

  /** The webhook's deliveries, newest first, with their attempts. */
  async listDeliveries(auth: AuthContext, sessionId: string, cursor: string | undefined, limit: number) {
    const webhook = await this.get(auth, sessionId);
    const before = cursor ? Number(deliveryCursor.decode(cursor).id) : undefined;
    const page = await fetchPage(
      limit,
      (take) => this.deliveries.listForWebhook(webhook.id, before, take),
      (last) => deliveryCursor.encode({ id: BigInt(last.id) }),
    );
    return { data: page.data, nextCursor: page.next } satisfies DeliveryPage;
  }
}
