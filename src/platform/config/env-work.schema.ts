import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { emptyToUndefined, toBool, toInt } from './env-transforms.js';

/** The environment variables of the work the service does in the background: agents, the worker, webhooks. */
export class WorkEnvSchema {
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  AGENTS_FILE?: string;

  @IsString()
  DEFAULT_AGENT_ID = 'echo';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  AGENT_HISTORY_WINDOW = 20;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  MODEL_PRICES?: string;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  AGENT_TIMEOUT_MS = 30_000;

  @Transform(toBool)
  @IsBoolean()
  WORKER_ENABLED = true;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(256)
  WORKER_CONCURRENCY = 8;

  @Transform(toInt)
  @IsInt()
  @Min(10)
  WORKER_POLL_MS = 1000;

  @Transform(toInt)
  @IsInt()
  @Min(500)
  TASK_LEASE_MS = 30_000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  TASK_MAX_ATTEMPTS = 3;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  WAIT_TIMEOUT_MS = 30_000;

  @Transform(toInt)
  @IsInt()
  @Min(1000)
  EXPIRY_SWEEP_MS = 60_000;

  /** on shutdown, how long running tasks may finish before they are handed back to the queue */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  WORKER_SHUTDOWN_GRACE_MS = 10_000;

  /** allow webhook and push-notification URLs on loopback, private, link-local and metadata addresses */
  @Transform(toBool)
  @IsBoolean()
  WEBHOOK_ALLOW_PRIVATE = false;

  /** timeout of one delivery attempt (connect, send, response) */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(120_000)
  WEBHOOK_TIMEOUT_MS = 10_000;

  /** attempts before a delivery is given up as failed */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  WEBHOOK_MAX_ATTEMPTS = 8;

  /** the first retry's delay; each further retry doubles it (with jitter), up to WEBHOOK_BACKOFF_MAX_MS */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  WEBHOOK_BACKOFF_MS = 2000;

  @Transform(toInt)
  @IsInt()
  @Min(10)
  WEBHOOK_BACKOFF_MAX_MS = 3_600_000;

  /** deliveries attempted at once per instance */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(256)
  WEBHOOK_CONCURRENCY = 8;
}
