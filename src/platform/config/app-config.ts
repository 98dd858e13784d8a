import { validateEnv, type EnvSchema } from './env.schema.js';

/** Typed, validated configuration. The only place that turns environment variables into settings. */
export class AppConfig {
  readonly env: EnvSchema['NODE_ENV'];
  readonly http: {
    host: string;
    port: number;
    bodyLimit: string;
    /** BODY_LIMIT in bytes (also the largest WebSocket message) */
    bodyLimitBytes: number;
    rateLimitPerMinute: number;
    /** Express's `trust proxy`: which proxies may say who the client is (X-Forwarded-For); undefined: none */
    trustProxy?: number | string;
    /** Node's server.keepAliveTimeout and headersTimeout (the latter always greater) */
    keepAliveTimeoutMs: number;
    headersTimeoutMs: number;
    /** PUBLIC_URL without a trailing slash; undefined: http://localhost:<port> (the port actually listened on) */
    publicUrl?: string;
  };
  readonly database: {
    /** the listener's and the migration runner's connections; undefined: the same as `url` */
    listenUrl?: string;
    migrateUrl?: string;
    /** the read pool's connection (a replica); undefined: the same as `url` */
    readUrl?: string;
    listenerCheckMs: number;
    /** notifications of committed writes are sent together, this long after the first of them */
    notifyCoalesceMs: number;
    /** group commit of users' messages: most members of one batch (1: off) */
    appendBatchMax: number;
    url?: string;
    poolMax: number;
    migrateOnStart: boolean;
    embedded: { dir: string; port: number };
  };
  /** shared rate-limit storage; url undefined: counters live in each instance's memory */
  readonly redis: { url?: string; keyPrefix: string };
  /** long-lived responses (SSE streams, transcript exports): how many per token, and how slow a client may be */
  readonly streams: {
    maxPerToken: number;
    writeTimeoutMs: number;
    maxBufferedBytes: number;
    /** bytes of history all streams and exports may hold at once (StreamBudget); 0: no limit */
    memoryBudgetBytes: number;
    /** bytes of that budget one token's streams and exports may hold at once (one bigger page still goes); 0: no cap */
    memoryShareBytes: number;
    /** WebSocket keepalive: ping interval (a client that misses a ping is dropped at the next) */
    pingIntervalMs: number;
  };
  readonly logLevel: string;
  /** IDLE_GC_CHECK_MS: see IdleHeapCollector */
  readonly idleGcCheckMs: number;
  readonly agents: {
    file?: string;
    defaultAgentId: string;
    historyWindow: number;
    timeoutMs: number;
    /** API keys and tokens agents may name (`apiKeyEnv`), read once at boot */
    secrets: Record<string, string | undefined>;
  };
  /** USD per million tokens, by model */
  readonly modelPrices: ModelPrices;
  readonly worker: {
    enabled: boolean;
    concurrency: number;
    pollMs: number;
    leaseMs: number;
    maxAttempts: number;
    waitTimeoutMs: number;
    expirySweepMs: number;
    shutdownGraceMs: number;
  };
  /** review search with `q`: when to walk sessions newest first, and how far (ReviewRepository) */
  readonly review: { commonMatches: number; probeSessions: number };
  /** outbound webhook and A2A push-notification deliveries (the delivery worker runs when the worker does) */
  readonly webhooks: {
    allowPrivate: boolean;
    timeoutMs: number;
    maxAttempts: number;
    backoffMs: number;
    backoffMaxMs: number;
    concurrency: number;
  };

  constructor(env: EnvSchema, raw: Record<string, unknown> = {}) {
    this.env = env.NODE_ENV;
    this.http = {
      host: env.HOST,
      port: env.PORT,
      bodyLimit: env.BODY_LIMIT,
      bodyLimitBytes: byteSize(env.BODY_LIMIT),
      rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
      trustProxy: env.TRUST_PROXY && /^\d+$/.test(env.TRUST_PROXY) ? Number(env.TRUST_PROXY) : env.TRUST_PROXY,
      keepAliveTimeoutMs: env.HTTP_KEEPALIVE_TIMEOUT_MS,
      headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS ?? env.HTTP_KEEPALIVE_TIMEOUT_MS + 1000,
      publicUrl: env.PUBLIC_URL?.replace(/\/+$/, ''),
    };
    this.database = {
      url: env.DATABASE_URL,
      listenUrl: env.DATABASE_LISTEN_URL,
      migrateUrl: env.DATABASE_MIGRATE_URL,
      readUrl: env.DATABASE_READ_URL,
      listenerCheckMs: env.LISTENER_CHECK_MS,
      notifyCoalesceMs: env.NOTIFY_COALESCE_MS,
      appendBatchMax: env.APPEND_BATCH_MAX,
      poolMax: env.DATABASE_POOL_MAX,
      migrateOnStart: env.MIGRATE_ON_START,
      embedded: { dir: env.EMBEDDED_PG_DIR, port: env.EMBEDDED_PG_PORT },
    };
    this.redis = { url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX };
    this.streams = {
      maxPerToken: env.MAX_STREAMS_PER_TOKEN,
      writeTimeoutMs: env.STREAM_WRITE_TIMEOUT_MS,
      maxBufferedBytes: env.STREAM_MAX_BUFFERED_BYTES,
      memoryBudgetBytes: env.STREAM_MEMORY_BUDGET_BYTES,
      memoryShareBytes: env.STREAM_MEMORY_SHARE_BYTES ?? Math.floor(env.STREAM_MEMORY_BUDGET_BYTES / 4),
      pingIntervalMs: env.WS_PING_INTERVAL_MS,
    };
    this.logLevel = env.LOG_LEVEL;
    this.idleGcCheckMs = env.IDLE_GC_CHECK_MS;
    this.agents = {
      file: env.AGENTS_FILE,
      defaultAgentId: env.DEFAULT_AGENT_ID,
      historyWindow: env.AGENT_HISTORY_WINDOW,
      timeoutMs: env.AGENT_TIMEOUT_MS,
      secrets: secretsFrom(raw),
    };
    this.modelPrices = parseModelPrices(env.MODEL_PRICES);
    this.worker = {
      enabled: env.WORKER_ENABLED,
      concurrency: env.WORKER_CONCURRENCY,
      pollMs: env.WORKER_POLL_MS,
      leaseMs: env.TASK_LEASE_MS,
      maxAttempts: env.TASK_MAX_ATTEMPTS,
      waitTimeoutMs: env.WAIT_TIMEOUT_MS,
      expirySweepMs: env.EXPIRY_SWEEP_MS,
      shutdownGraceMs: env.WORKER_SHUTDOWN_GRACE_MS,
    };
    this.review = {
      commonMatches: env.REVIEW_SEARCH_COMMON_MATCHES,
      probeSessions: env.REVIEW_SEARCH_PROBE_SESSIONS,
    };
    this.webhooks = {
      allowPrivate: env.WEBHOOK_ALLOW_PRIVATE,
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      maxAttempts: env.WEBHOOK_MAX_ATTEMPTS,
      backoffMs: env.WEBHOOK_BACKOFF_MS,
      backoffMaxMs: env.WEBHOOK_BACKOFF_MAX_MS,
      concurrency: env.WEBHOOK_CONCURRENCY,
    };
  }

  static fromEnv(raw: Record<string, unknown>): AppConfig {
    return new AppConfig(validateEnv(raw), raw);
  }
}

/** `1048576`, `512kb`, `1mb` (the forms BODY_LIMIT allows; units of 1024 as body-parser counts them). */
function byteSize(text: string): number {
  const [, digits = '0', unit = 'b'] = /^(\d+)(b|kb|mb)?$/i.exec(text) ?? [];
  return Number(digits) * { b: 1, kb: 1024, mb: 1024 * 1024 }[unit.toLowerCase() as 'b' | 'kb' | 'mb'];
}

export type ModelPrices = Record<string, { prompt: number; completion: number }>;

const SECRET_NAME = /(_API_KEY|_TOKEN|_SECRET)$/;

function secretsFrom(raw: Record<string, unknown>): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(raw).filter(([name, value]) => SECRET_NAME.test(name) && typeof value === 'string') as [
      string,
      string,
    ][],
  );
}

/** MODEL_PRICES: JSON `{"<model>": {"prompt": <USD per 1M tokens>, "completion": <USD per 1M tokens>}}`. */
function parseModelPrices(text: string | undefined): ModelPrices {
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(
      'Invalid configuration:\n  - MODEL_PRICES: must be JSON like {"gpt-4o-mini": {"prompt": 0.15, "completion": 0.6}}',
    );
  }
  const entries = Object.entries(typeof parsed === 'object' && parsed !== null ? parsed : { '': null });
  for (const [model, price] of entries) {
    const p = price as { prompt?: unknown; completion?: unknown } | null;
    if (
      !model ||
      typeof p?.prompt !== 'number' ||
      typeof p?.completion !== 'number' ||
      p.prompt < 0 ||
      p.completion < 0
    ) {
      throw new Error(
        `Invalid configuration:\n  - MODEL_PRICES: "${model}" needs non-negative numbers "prompt" and "completion"`,
      );
    }
  }
  return parsed as ModelPrices;
}
