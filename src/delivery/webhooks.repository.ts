import { Injectable } from '@nestjs/common';
import type { Webhook } from '../generated/prisma/client.js';
import { PrismaService } from '../platform/database/prisma.service.js';
import type { NewWebhook, WebhookKind, WebhookRecord } from './webhook.record.js';

function toRecord(row: Webhook): WebhookRecord {
  return { ...row, kind: row.kind as WebhookKind };
}

/** The `webhooks` table: A2A push configs, and reads of session webhooks (the conversation writes those). */
@Injectable()
export class WebhooksRepository {
  constructor(private readonly prisma: PrismaService) {}

  async findById(id: string): Promise<WebhookRecord | undefined> {
    const row = await this.prisma.webhook.findUnique({ where: { id } });
    return row ? toRecord(row) : undefined;
  }

  async findSessionWebhook(sessionId: string): Promise<WebhookRecord | undefined> {
    const row = await this.prisma.webhook.findFirst({ where: { sessionId, kind: 'session' } });
    return row ? toRecord(row) : undefined;
  }

  /** Creates or replaces an A2A config (same task and config id). */
  async saveTaskConfig(webhook: NewWebhook & { taskId: string; configId: string }): Promise<WebhookRecord> {
    const fields = {
      url: webhook.url,
      token: webhook.token ?? null,
      authScheme: webhook.authScheme ?? null,
      authCredentials: webhook.authCredentials ?? null,
      wireVersion: webhook.wireVersion ?? null,
    };
    const row = await this.prisma.webhook.upsert({
      where: { taskId_configId: { taskId: webhook.taskId, configId: webhook.configId } },
      create: {
        kind: 'a2a',
        ownerId: webhook.ownerId,
        sessionId: webhook.sessionId,
        ...fields,
        taskId: webhook.taskId,
        configId: webhook.configId,
      },
      update: { ...fields, updatedAt: new Date() },
    });
    return toRecord(row);
  }

  /** A task's A2A configs, oldest first (webhooks_task_config_key). */
  async listTaskConfigs(taskId: string): Promise<WebhookRecord[]> {
    const rows = await this.prisma.webhook.findMany({ where: { taskId, kind: 'a2a' }, orderBy: { createdAt: 'asc' } });
    return rows.map(toRecord);
  }

  async deleteTaskConfig(taskId: string, configId: string): Promise<boolean> {
    const { count } = await this.prisma.webhook.deleteMany({ where: { taskId, configId, kind: 'a2a' } });
    return count > 0;
  }
}
