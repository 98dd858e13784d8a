import { Injectable } from '@nestjs/common';
import { assertCanWrite, ownerScope, writeScope, type AuthContext } from '../identity/auth/auth-context.js';
import { ConversationReader } from '../conversation/conversation.reader.js';
import { AppConfig } from '../platform/config/app-config.js';
import { DomainError, Errors } from '../platform/errors/domain-error.js';
import { cursorCodec, fetchPage } from '../platform/http/pagination.js';
import { DeliveriesRepository } from './deliveries.repository.js';
import { checkWebhookUrl } from '../platform/webhooks/url-guard.js';
import type { DeliveryRecord, WebhookRecord } from './webhook.record.js';
import { newWebhookSecret } from '../platform/webhooks/webhook-signature.js';
import { WebhooksRepository } from './webhooks.repository.js';

const deliveryCursor = cursorCodec({ id: 'bigint' });
const webhookNotFound = () => new DomainError('webhook/not_found', 'this session has no webhook', 404);

export interface WebhookInput {
  url: string;
  token?: string | null;
}

export interface SavedWebhook {
  webhook: WebhookRecord;
  /** the signing secret, only when the webhook was created by this call */
  secret?: string;
}

export interface DeliveryPage {
  data: DeliveryRecord[];
  nextCursor: string | null;
}

/**
 * REST session webhooks: one per session, owned by the session's owner. Creating one returns its signing secret
 * once; changing its URL or token keeps the secret. Reviewers and admins may read a webhook and its deliveries.
 */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly config: AppConfig,
    private readonly reader: ConversationReader,
    private readonly webhooks: WebhooksRepository,
    private readonly deliveries: DeliveriesRepository,
  ) {}

  async put(auth: AuthContext, sessionId: string, input: WebhookInput): Promise<SavedWebhook> {
    assertCanWrite(auth);
    const session = await this.reader.session(sessionId, writeScope(auth));
    if (!session) throw Errors.sessionNotFound();
    await checkWebhookUrl(input.url, this.config.webhooks.allowPrivate);
    const secret = newWebhookSecret();
    const saved = await this.webhooks.upsertSessionWebhook({
      kind: 'session',
      ownerId: session.userId,
      sessionId,
      url: input.url,
      token: input.token ?? null,
      secret,
    });
    return saved.created ? { webhook: saved.webhook, secret } : { webhook: saved.webhook };
  }

  async get(auth: AuthContext, sessionId: string): Promise<WebhookRecord> {
    const session = await this.reader.session(sessionId, ownerScope(auth));
    if (!session) throw Errors.sessionNotFound();
    const webhook = await this.webhooks.findSessionWebhook(sessionId);
    if (!webhook) throw webhookNotFound();
    return webhook;
  }

  async delete(auth: AuthContext, sessionId: string): Promise<void> {
    assertCanWrite(auth);
    const session = await this.reader.session(sessionId, writeScope(auth));
    if (!session) throw Errors.sessionNotFound();
    if (!(await this.webhooks.deleteSessionWebhook(sessionId))) throw webhookNotFound();
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
