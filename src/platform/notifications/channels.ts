import { Prisma } from '../../generated/prisma/client.js';

/**
 * The one contract for cross-instance notifications: every channel, its payload type, how a payload is
 * encoded (in JavaScript, or as a SQL expression when a statement notifies about the rows it writes) and
 * decoded. Nothing else names a channel or parses a payload, so the transport (LISTEN/NOTIFY today) can
 * change without touching the writers or the listeners.
 */
export interface ChannelPayloads {
  /** a task became claimable */
  taskQueued: { taskId: string };
  /** a task changed status */
  taskStatus: { sessionId: string; taskId: string; status: string };
  /** an event was appended */
  sessionEvent: { sessionId: string; seq: number };
  /** a streaming agent produced text (not stored) */
  taskDelta: { taskId: string; sessionId: string; index: number; text: string };
  /** a token was revoked (caches must drop it) */
  tokenRevoked: { tokenId: string };
  /** a webhook delivery was queued (written by the webhook_deliveries triggers in SQL) */
  deliveryQueued: Record<string, never>;
  /** an instance's listener self-check: it notifies itself and expects to hear it back */
  listenerPing: { instance: string; sentAt: number };
}

export type ChannelName = keyof ChannelPayloads;

interface ChannelCodec<P> {
  /** the PostgreSQL channel name */
  readonly wire: string;
  encode(payload: P): string;
  decode(raw: string): P | undefined;
  /**
   * Coalescing of notifications sent after commit (see PostCommitNotifier): payloads with the same key within one
   * window become one, `merge`d. Only for channels whose listeners treat a payload as a wake-up hint and read the
   * rows themselves. Without it, only identical payloads are merged.
   */
  readonly coalesce?: { key(payload: P): string; merge(older: P, newer: P): P };
}

/** `a:b:c` payloads: ids never contain a colon, and statuses are plain words. */
function fields(raw: string, count: number): string[] | undefined {
  const parts = raw.split(':');
  return parts.length === count && parts.every((part) => part.length > 0) ? parts : undefined;
}

export const CHANNELS: { readonly [C in ChannelName]: ChannelCodec<ChannelPayloads[C]> } = {
  taskQueued: {
    wire: 'agent_task_queued',
    encode: (p) => p.taskId,
    decode: (raw) => (raw ? { taskId: raw } : undefined),
    // workers only take it as "claim now" and claim whatever is queued: one wake-up per window is enough
    coalesce: { key: () => '', merge: (_older, newer) => newer },
  },
  taskStatus: {
    wire: 'agent_task_status',
    encode: (p) => `${p.sessionId}:${p.taskId}:${p.status}`,
    decode: (raw) => {
      const f = fields(raw, 3);
      return f && { sessionId: f[0], taskId: f[1], status: f[2] };
    },
  },
  sessionEvent: {
    wire: 'agent_session_event',
    encode: (p) => `${p.sessionId}:${p.seq}`,
    decode: (raw) => {
      const f = fields(raw, 2);
      const seq = Number(f?.[1]);
      return f && Number.isSafeInteger(seq) ? { sessionId: f[0], seq } : undefined;
    },
    // streams read every event after the last one they sent: the newest seq of a session stands for all before it
    coalesce: { key: (p) => p.sessionId, merge: (older, newer) => (newer.seq >= older.seq ? newer : older) },
  },
  taskDelta: {
    wire: 'agent_task_delta',
    encode: (p) => JSON.stringify({ t: p.taskId, s: p.sessionId, i: p.index, d: p.text }),
    decode: (raw) => {
      try {
        const v = JSON.parse(raw) as { t?: unknown; s?: unknown; i?: unknown; d?: unknown };
        if (typeof v.t !== 'string' || typeof v.s !== 'string' || typeof v.i !== 'number' || typeof v.d !== 'string')
          return undefined;
        return { taskId: v.t, sessionId: v.s, index: v.i, text: v.d };
      } catch {
        return undefined;
      }
    },
  },
  tokenRevoked: {
    wire: 'agent_token_revoked',
    encode: (p) => p.tokenId,
    decode: (raw) => (raw ? { tokenId: raw } : undefined),
  },
  deliveryQueued: {
    wire: 'agent_delivery_queued',
    encode: () => '',
    decode: () => ({}),
  },
  listenerPing: {
    wire: 'agent_listener_ping',
    encode: (p) => `${p.instance}:${p.sentAt}`,
    decode: (raw) => {
      const f = fields(raw, 2);
      const sentAt = Number(f?.[1]);
      return f && Number.isFinite(sentAt) ? { instance: f[0], sentAt } : undefined;
    },
  },
};

/** The key under which a payload is coalesced with others of its channel (see ChannelCodec.coalesce). */
export function coalesceKey<C extends ChannelName>(channel: C, payload: ChannelPayloads[C]): string {
  const codec = CHANNELS[channel] as ChannelCodec<ChannelPayloads[C]>;
  return `${channel}\u0000${codec.coalesce ? codec.coalesce.key(payload) : codec.encode(payload)}`;
}

/** Whether the channel's payloads are merged by key (see ChannelCodec.coalesce), not only when identical. */
export function coalesces(channel: ChannelName): boolean {
  return CHANNELS[channel].coalesce !== undefined;
}

/** Two payloads of one channel and key as one (the newer one when the channel does not coalesce). */
export function mergePayloads<C extends ChannelName>(
  channel: C,
  older: ChannelPayloads[C],
  newer: ChannelPayloads[C],
): ChannelPayloads[C] {
  const codec = CHANNELS[channel] as ChannelCodec<ChannelPayloads[C]>;
  return codec.coalesce ? codec.coalesce.merge(older, newer) : newer;
}

/**
 * SQL for a statement that must notify inside its own transaction. Only token revocation does (rare, and a revoked
 * token must leave every cache with the commit); appends and task moves notify after commit (post-commit.ts).
 */
export const notifySql = {
  tokenRevoked: (tokenId: Prisma.Sql) => Prisma.sql`pg_notify(${CHANNELS.tokenRevoked.wire}, (${tokenId})::text)`,
} satisfies { [C in ChannelName]?: (...columns: Prisma.Sql[]) => Prisma.Sql };
