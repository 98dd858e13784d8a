import { Inject, Injectable } from '@nestjs/common';
import { PrismaService, type PrismaTx } from '../../platform/database/prisma.service.js';
import { isJsonObject, mergePatch, type JsonObject } from '../../platform/json/json.js';

/** User state (per user and agent) and app state (per agent): `user:` and `app:` keys, stored without prefix. */
@Injectable()
export class ScopedStateRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaTx) {}

  async read(
    userId: string,
    agentId: string,
    tx: PrismaTx = this.prisma,
  ): Promise<{ user: JsonObject; app: JsonObject }> {
    const rows = await tx.$queryRaw<{ user: unknown; app: unknown }[]>`
      SELECT (SELECT state FROM user_states WHERE user_id = ${userId} AND agent_id = ${agentId}) AS "user",
             (SELECT state FROM app_states WHERE agent_id = ${agentId}) AS app`;
    return { user: asObject(rows[0]?.user), app: asObject(rows[0]?.app) };
  }

  /** Merge-patches one user's state with an agent, under its row lock (created on first use). */
  async patchUser(userId: string, agentId: string, patch: JsonObject, tx: PrismaTx = this.prisma): Promise<JsonObject> {
    await tx.$executeRaw`
      INSERT INTO user_states (user_id, agent_id) VALUES (${userId}, ${agentId}) ON CONFLICT DO NOTHING`;
    const rows = await tx.$queryRaw<{ state: unknown }[]>`
      SELECT state FROM user_states WHERE user_id = ${userId} AND agent_id = ${agentId} FOR UPDATE`;
    const state = asObject(mergePatch(asObject(rows[0]?.state), patch));
    await tx.$executeRaw`
      UPDATE user_states SET state = ${JSON.stringify(state)}::jsonb, updated_at = now()
      WHERE user_id = ${userId} AND agent_id = ${agentId}`;
    return state;
  }

  /** Merge-patches an agent's app state, under its row lock (created on first use). */
  async patchApp(agentId: string, patch: JsonObject, tx: PrismaTx = this.prisma): Promise<JsonObject> {
    await tx.$executeRaw`INSERT INTO app_states (agent_id) VALUES (${agentId}) ON CONFLICT DO NOTHING`;
    const rows = await tx.$queryRaw<{ state: unknown }[]>`
      SELECT state FROM app_states WHERE agent_id = ${agentId} FOR UPDATE`;
    const state = asObject(mergePatch(asObject(rows[0]?.state), patch));
    await tx.$executeRaw`
      UPDATE app_states SET state = ${JSON.stringify(state)}::jsonb, updated_at = now() WHERE agent_id = ${agentId}`;
    return state;
  }
}

function asObject(value: unknown): JsonObject {
  return isJsonObject(value) ? value : {};
}
