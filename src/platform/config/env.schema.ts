import { Transform, plainToInstance } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';
import { emptyToUndefined, toBool, toInt } from './env-transforms.js';
import { WorkEnvSchema } from './env-work.schema.js';

/** Every environment variable the service reads, with its default. Validated once at boot. */
export class EnvSchema extends WorkEnvSchema {
  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  /** base URL clients reach this service at, used in A2A agent cards; default http://localhost:<PORT> */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, { message: 'PUBLIC_URL must be an http:// or https:// URL' })
  PUBLIC_URL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  /** the notification listener's own session connection (direct, not through a transaction pooler); default DATABASE_URL */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_LISTEN_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_LISTEN_URL?: string;

  /** the migration runner's connection (its advisory lock needs a session); default DATABASE_URL */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_MIGRATE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_MIGRATE_URL?: string;

  /** reads that may lag the primary (review search, transcript exports, access-log listing): a replica; default DATABASE_URL */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_READ_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_READ_URL?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(500)
  DATABASE_POOL_MAX = 10;

  /** how often the listener notifies itself to prove notifications still arrive; 0 turns the self-check off */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  LISTENER_CHECK_MS = 5000;

  /** how long notifications of committed writes are gathered before one NOTIFY carries them all (0: next tick) */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1000)
  NOTIFY_COALESCE_MS = 2;

  /** users' messages arriving together are stored by one statement, this many at most; 1 turns grouping off */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(60)
  APPEND_BATCH_MAX = 32;

  @IsString()
  EMBEDDED_PG_DIR = '.data/postgres';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  EMBEDDED_PG_PORT = 54329;

  @Transform(toBool)
  @IsBoolean()
  MIGRATE_ON_START = true;

  @Matches(/^\d+(b|kb|mb)?$/i, { message: 'BODY_LIMIT must look like 1048576, 512kb or 1mb' })
  BODY_LIMIT = '1mb';

  /** requests per minute per token; 0 turns rate limiting off */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  RATE_LIMIT_PER_MINUTE = 6000;

  /** shared rate-limit counters for every instance (redis:// or rediss://); unset: each instance counts alone */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^rediss?:\/\/\S*$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  /** prefix of every key this service writes to Redis, so several deployments can share one server */
  @Matches(/^[\w:.-]{0,100}$/, { message: 'REDIS_KEY_PREFIX may hold only letters, digits and _ : . -' })
  REDIS_KEY_PREFIX = 'agent-sessions:';

  /** proxies whose X-Forwarded-For is believed: a hop count, or addresses, CIDRs, loopback, uniquelocal (comma-separated) */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^(\d{1,2}|[\w.:/]+(\s*,\s*[\w.:/]+)*)$/, {
    message: 'TRUST_PROXY must be a hop count or a comma-separated list of addresses, CIDRs or loopback/uniquelocal',
  })
  TRUST_PROXY?: string;

  /** idle time before the server closes a keep-alive connection; keep it above the proxy's upstream keep-alive */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(290_000)
  HTTP_KEEPALIVE_TIMEOUT_MS = 65_000;

  /** time a client has to send the request headers; must exceed HTTP_KEEPALIVE_TIMEOUT_MS (default: it + 1 s) */
  @Transform(toInt)
  @IsOptional()
  @IsInt()
  @Min(1000)
  @Max(300_000)
  HTTP_HEADERS_TIMEOUT_MS?: number;

  /** event streams and transcript exports one token may hold open at once (per instance); 0 turns the cap off */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(100_000)
  MAX_STREAMS_PER_TOKEN = 8;

  /** a stream or export whose client has not taken a write within this time is closed */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  STREAM_WRITE_TIMEOUT_MS = 30_000;

  /** bytes one stream or export may have written but not yet taken by its client; beyond, it is closed */
  @Transform(toInt)
  @IsInt()
  @Min(65_536)
  STREAM_MAX_BUFFERED_BYTES = 4_194_304;

  /** bytes of history all streams and exports of an instance may hold at once; a stream waits for room; 0 turns it off */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  STREAM_MEMORY_BUDGET_BYTES = 16_777_216;

  /** bytes of that budget the streams and exports of one token may hold at once; default a quarter of it; 0: no cap */
  @Transform(toInt)
  @IsOptional()
  @IsInt()
  @Min(0)
  STREAM_MEMORY_SHARE_BYTES?: number;

  /** how often a session WebSocket is pinged; a client that has not answered the previous ping is dropped */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  WS_PING_INTERVAL_MS = 15_000;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** how often the process checks whether it is idle with a heap grown by earlier load, to collect it (0: never) */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  IDLE_GC_CHECK_MS = 10_000;

  /** review search: a `q` with at least this many matches (events, notes, names, metadata values) is searched newest session first */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  REVIEW_SEARCH_COMMON_MATCHES = 10_000;

  /** review search: sessions a newest-first search probes before it collects the rest of the page from every match */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  REVIEW_SEARCH_PROBE_SESSIONS = 2500;
}

/** Validates raw environment variables; throws one error that lists every problem. */
export function validateEnv(raw: Record<string, unknown>): EnvSchema {
  // An empty variable means "not set": it takes the default rather than failing validation.
  const given = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== ''));
  const env = plainToInstance(EnvSchema, given, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false, forbidUnknownValues: false });
  if (errors.length > 0) {
    // One message per variable: the most basic rule that failed (type before range).
    const lines = errors.map((e) => `  - ${e.property}: ${Object.values(e.constraints ?? {}).at(-1) ?? 'is invalid'}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const conflicts = conflictsOf(env);
  if (conflicts.length > 0) throw new Error(`Invalid configuration:\n${conflicts.map((c) => `  - ${c}`).join('\n')}`);
  return env;
}

/** Rules that tie one variable to another. */
function conflictsOf(env: EnvSchema): string[] {
  const conflicts: string[] = [];
  if (env.HTTP_HEADERS_TIMEOUT_MS !== undefined && env.HTTP_HEADERS_TIMEOUT_MS <= env.HTTP_KEEPALIVE_TIMEOUT_MS) {
    conflicts.push('HTTP_HEADERS_TIMEOUT_MS: must be greater than HTTP_KEEPALIVE_TIMEOUT_MS');
  }
  const budget = env.STREAM_MEMORY_BUDGET_BYTES;
  if (budget > 0 && (env.STREAM_MEMORY_SHARE_BYTES ?? 0) > budget) {
    conflicts.push(`STREAM_MEMORY_SHARE_BYTES: must not exceed STREAM_MEMORY_BUDGET_BYTES (${budget})`);
  }
  return conflicts;
}
