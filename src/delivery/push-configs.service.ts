import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { assertCanWrite, writeScope, type AuthContext } from '../identity/auth/auth-context.js';
import { ConversationReader } from '../conversation/conversation.reader.js';
import { AppConfig } from '../platform/config/app-config.js';
import { Errors } from '../platform/errors/domain-error.js';
import { checkWebhookUrl } from '../platform/webhooks/url-guard.js';
import type { WebhookRecord } from './webhook.record.js';
import { WebhooksRepository } from './webhooks.repository.js';

/** An A2A push notification config of one task, as a client registers it. */
export interface PushConfigInput {
  /** empty: one is generated */
  configId?: string;
  url: string;
  token?: string;
  authScheme?: string;
  authCredentials?: string;
  /** the A2A protocol version it was registered over, which shapes the notification body */
  wireVersion: string;
}

/**
 * A2A push notification configs, stored per task. Only the task's owner (or an admin) sees and changes them:
 * they hold the receiver's credentials. Someone else's task is "task not found".
 */
@Injectable()
export class PushConfigsService {
  constructor(
    private readonly config: AppConfig,
    private readonly reader: ConversationReader,
    private readonly webhooks: WebhooksRepository,
  ) {}

  async save(auth: AuthContext, taskId: string, input: PushConfigInput): Promise<WebhookRecord> {
    assertCanWrite(auth);
    const task = await this.reader.task(taskId, writeScope(auth));
    if (!task) throw Errors.taskNotFound();
    const session = await this.reader.session(task.sessionId);
    if (!session) throw Errors.taskNotFound();
    await checkWebhookUrl(input.url, this.config.webhooks.allowPrivate);
    return this.webhooks.saveTaskConfig({
      kind: 'a2a',
      ownerId: session.userId,
      sessionId: task.sessionId,
      taskId,
      configId: input.configId || randomUUID(),
      url: input.url,
      token: input.token || null,
      authScheme: input.authScheme || null,
      authCredentials: input.authCredentials || null,
      wireVersion: input.wireVersion,
    });
  }

  /** Refuses (400 webhook/url_refused) a URL a config could not be saved with. */
  async checkUrl(url: string): Promise<void> {
    await checkWebhookUrl(url, this.config.webhooks.allowPrivate);
  }

  /** The task's configs; none when the caller may not see them. */
  async list(auth: AuthContext, taskId: string): Promise<WebhookRecord[]> {
    const task = await this.reader.task(taskId, writeScope(auth));
    return task ? this.webhooks.listTaskConfigs(taskId) : [];
  }

  async delete(auth: AuthContext, taskId: string, configId: string): Promise<boolean> {
    assertCanWrite(auth);
    const task = await this.reader.task(taskId, writeScope(auth));
    if (!task) throw Errors.taskNotFound();
    return this.webhooks.deleteTaskConfig(taskId, configId);
  }
}
