import { validateEnv, type EnvSchema } from './env.schema.js';

/** Typed, validated configuration. The only place that turns environment variables into settings. */
export class AppConfig {
  readonly env: EnvSchema['NODE_ENV'];
  readonly http: { host: string; port: number; bodyLimit: string };
  readonly database: {
    url?: string;
    poolMax: number;
    migrateOnStart: boolean;
    embedded: { dir: string; port: number };
  };
  readonly logLevel: string;
  readonly agents: { file?: string; defaultAgentId: string; historyWindow: number; timeoutMs: number };
  readonly worker: {
    enabled: boolean;
    concurrency: number;
    pollMs: number;
    leaseMs: number;
    maxAttempts: number;
    waitTimeoutMs: number;
    expirySweepMs: number;
  };

  constructor(env: EnvSchema) {
    this.env = env.NODE_ENV;
    this.http = { host: env.HOST, port: env.PORT, bodyLimit: env.BODY_LIMIT };
    this.database = {
      url: env.DATABASE_URL,
      poolMax: env.DATABASE_POOL_MAX,
      migrateOnStart: env.MIGRATE_ON_START,
      embedded: { dir: env.EMBEDDED_PG_DIR, port: env.EMBEDDED_PG_PORT },
    };
    this.logLevel = env.LOG_LEVEL;
    this.agents = {
      file: env.AGENTS_FILE,
      defaultAgentId: env.DEFAULT_AGENT_ID,
      historyWindow: env.AGENT_HISTORY_WINDOW,
      timeoutMs: env.AGENT_TIMEOUT_MS,
    };
    this.worker = {
      enabled: env.WORKER_ENABLED,
      concurrency: env.WORKER_CONCURRENCY,
      pollMs: env.WORKER_POLL_MS,
      leaseMs: env.TASK_LEASE_MS,
      maxAttempts: env.TASK_MAX_ATTEMPTS,
      waitTimeoutMs: env.WAIT_TIMEOUT_MS,
      expirySweepMs: env.EXPIRY_SWEEP_MS,
    };
  }

  static fromEnv(raw: Record<string, unknown>): AppConfig {
    return new AppConfig(validateEnv(raw));
  }
}
