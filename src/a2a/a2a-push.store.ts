import { Injectable, OnModuleInit } from '@nestjs/common';
import { A2A_PROTOCOL_VERSION, type StreamResponse, type TaskPushNotificationConfig } from '@a2a-js/sdk';
import { V03PushNotificationSerializer } from '@a2a-js/sdk/compat/v0_3/server';
import {
  V1PushNotificationSerializer,
  type PushNotificationSender,
  type PushNotificationSerializer,
  type PushNotificationStore,
  type ServerCallContext,
  type StoredPushNotificationConfig,
} from '@a2a-js/sdk/server';
import { ConversationReader } from '../conversation/conversation.reader.js';
import { DeliveryRenderers, type RenderedDelivery } from '../delivery/delivery-renderers.js';
import { PushConfigsService } from '../delivery/push-configs.service.js';
import type { DeliveryRecord, WebhookRecord } from '../delivery/webhook.record.js';
import type { TaskStatus } from '../conversation/records/task.record.js';
import { asA2a } from './a2a-error.mapper.js';
import { toTaskState } from './a2a-message.mapper.js';
import { A2aTaskReader } from './a2a-task.store.js';
import { authOf } from './a2a-user.js';

const LEGACY_VERSION = '0.3';
/** The header the spec names for a config's `token` (when it has no `authentication`). */
export const NOTIFICATION_TOKEN_HEADER = 'X-A2A-Notification-Token';

function toConfig(webhook: WebhookRecord): TaskPushNotificationConfig {
  return {
    tenant: '',
    id: webhook.configId ?? webhook.id,
    taskId: webhook.taskId ?? '',
    url: webhook.url,
    token: webhook.token ?? '',
    authentication:
      webhook.authScheme && webhook.authCredentials
        ? { scheme: webhook.authScheme, credentials: webhook.authCredentials }
        : undefined,
  };
}

/**
 * The SDK's PushNotificationStore on PostgreSQL (through PushConfigsService): configs survive restarts and are
 * seen by every instance. Each keeps the protocol version it was registered over, so a 0.3 client gets 0.3
 * bodies. Only the task's owner sees or changes its configs.
 */
export class PgPushNotificationStore implements PushNotificationStore {
  constructor(private readonly configs: PushConfigsService) {}

  async save(taskId: string, context: ServerCallContext, config: TaskPushNotificationConfig): Promise<void> {
    const saved = await asA2a(() =>
      this.configs.save(authOf(context), taskId, {
        configId: config.id,
        url: config.url,
        token: config.token,
        authScheme: config.authentication?.scheme,
        authCredentials: config.authentication?.credentials,
        wireVersion: context.requestedVersion || LEGACY_VERSION,
      }),
    );
    // the SDK reads the id it answers with from the object it passed in
    config.id = saved.configId ?? saved.id;
    config.taskId = taskId;
  }

  async load(taskId: string, context: ServerCallContext): Promise<TaskPushNotificationConfig[]> {
    return (await this.configs.list(authOf(context), taskId)).map(toConfig);
  }

  async loadWithMetadata(taskId: string, context: ServerCallContext): Promise<StoredPushNotificationConfig[]> {
    return (await this.configs.list(authOf(context), taskId)).map((webhook) => ({
      config: toConfig(webhook),
      wireVersion: webhook.wireVersion ?? LEGACY_VERSION,
    }));
  }

  async delete(taskId: string, context: ServerCallContext, configId?: string): Promise<void> {
    await asA2a(() => this.configs.delete(authOf(context), taskId, configId ?? taskId));
  }
}

/**
 * The SDK's PushNotificationSender, which it calls for the events of the request in flight. It sends nothing:
 * every status change is already in the database's outbox, written in the change's own transaction, and the
 * delivery worker sends it with retries (an in-process send would be lost with the process).
 */
export class OutboxPushNotificationSender implements PushNotificationSender {
  async send(): Promise<void> {
    // Intentionally empty: see the class comment.
  }
}

/**
 * Renders the outbox rows of A2A configs: a `statusUpdate` StreamResponse of the task (with the agent's message
 * once it has answered), serialized by the SDK's serializer for the config's protocol version, with the
 * config's credentials: `Authorization: <scheme> <credentials>`, else the token as X-A2A-Notification-Token.
 */
@Injectable()
export class A2aPushRenderer implements OnModuleInit {
  private readonly serializers: Record<string, PushNotificationSerializer> = {
    [A2A_PROTOCOL_VERSION]: new V1PushNotificationSerializer(),
    [LEGACY_VERSION]: new V03PushNotificationSerializer(),
  };

  constructor(
    private readonly renderers: DeliveryRenderers,
    private readonly conversation: ConversationReader,
    private readonly tasks: A2aTaskReader,
  ) {}

  onModuleInit(): void {
    this.renderers.register('a2a', (delivery, webhook) => this.render(delivery, webhook));
  }

  async render(delivery: DeliveryRecord, webhook: WebhookRecord): Promise<RenderedDelivery | undefined> {
    const record = delivery.taskId ? await this.conversation.task(delivery.taskId) : undefined;
    if (!record) return undefined;
    const task = await this.tasks.snapshot(record);
    const recorded = toTaskState((delivery.taskStatus ?? record.status) as TaskStatus);
    const status =
      task.status?.state === recorded
        ? task.status
        : { state: recorded, message: undefined, timestamp: delivery.createdAt.toISOString() };
    const response: StreamResponse = {
      payload: { $case: 'statusUpdate', value: { taskId: task.id, contextId: task.contextId, status, metadata: {} } },
    };
    const serializer =
      this.serializers[webhook.wireVersion ?? LEGACY_VERSION] ?? this.serializers[A2A_PROTOCOL_VERSION];
    const { body, contentType } = serializer.serialize(response, task);
    const headers: Record<string, string> = { 'Content-Type': contentType };
    if (webhook.authScheme && webhook.authCredentials)
      headers.Authorization = `${webhook.authScheme} ${webhook.authCredentials}`;
    else if (webhook.token) headers[NOTIFICATION_TOKEN_HEADER] = webhook.token;
    return { body, headers };
  }
}
