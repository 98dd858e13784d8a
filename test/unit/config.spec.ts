import 'reflect-metadata';
import { AppConfig } from '../../src/platform/config/app-config.js';
import { validateEnv } from '../../src/platform/config/env.schema.js';

function thrownMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the call to throw');
}

describe('validateEnv', () => {
  it('applies every default for an empty environment', () => {
    const env = validateEnv({});
    expect(env).toMatchObject({
      NODE_ENV: 'development',
      PORT: 3000,
      HOST: '0.0.0.0',
      DATABASE_POOL_MAX: 10,
      EMBEDDED_PG_DIR: '.data/postgres',
      EMBEDDED_PG_PORT: 54329,
      MIGRATE_ON_START: true,
      BODY_LIMIT: '1mb',
      LOG_LEVEL: 'info',
      DEFAULT_AGENT_ID: 'echo',
      AGENT_HISTORY_WINDOW: 20,
      AGENT_TIMEOUT_MS: 30_000,
      WORKER_ENABLED: true,
      WORKER_CONCURRENCY: 8,
      WORKER_POLL_MS: 1000,
      TASK_LEASE_MS: 30_000,
      TASK_MAX_ATTEMPTS: 3,
      WAIT_TIMEOUT_MS: 30_000,
      EXPIRY_SWEEP_MS: 60_000,
      MAX_STREAMS_PER_TOKEN: 8,
      STREAM_WRITE_TIMEOUT_MS: 30_000,
      STREAM_MAX_BUFFERED_BYTES: 4_194_304,
      STREAM_MEMORY_BUDGET_BYTES: 16_777_216,
      REVIEW_SEARCH_COMMON_MATCHES: 10_000,
      REVIEW_SEARCH_PROBE_SESSIONS: 2500,
    });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.AGENTS_FILE).toBeUndefined();
  });

  it('treats empty optional strings as unset', () => {
    const env = validateEnv({ DATABASE_URL: '', AGENTS_FILE: '' });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.AGENTS_FILE).toBeUndefined();
  });

  it('parses numeric strings into numbers', () => {
    const env = validateEnv({ PORT: '8080', WORKER_CONCURRENCY: '16', TASK_LEASE_MS: '5000' });
    expect(env.PORT).toBe(8080);
    expect(env.WORKER_CONCURRENCY).toBe(16);
    expect(env.TASK_LEASE_MS).toBe(5000);
  });

  it.each([
    ['false', false],
    ['0', false],
    ['no', false],
    ['OFF', false],
    ['true', true],
    ['1', true],
    ['yes', true],
    ['On', true],
  ])('parses boolean %p as %p', (text, expected) => {
    const env = validateEnv({ WORKER_ENABLED: text, MIGRATE_ON_START: text });
    expect(env.WORKER_ENABLED).toBe(expected);
    expect(env.MIGRATE_ON_START).toBe(expected);
  });

  it('accepts postgres and postgresql URLs', () => {
    expect(validateEnv({ DATABASE_URL: 'postgres://u@h/db' }).DATABASE_URL).toBe('postgres://u@h/db');
    expect(validateEnv({ DATABASE_URL: 'postgresql://u@h/db' }).DATABASE_URL).toBe('postgresql://u@h/db');
  });

  it('takes an optional read replica URL, validated like DATABASE_URL', () => {
    expect(AppConfig.fromEnv({}).database.readUrl).toBeUndefined();
    expect(AppConfig.fromEnv({ DATABASE_READ_URL: '' }).database.readUrl).toBeUndefined();
    const config = AppConfig.fromEnv({
      DATABASE_URL: 'postgres://primary/app',
      DATABASE_READ_URL: 'postgres://replica/app',
    });
    expect(config.database).toMatchObject({ url: 'postgres://primary/app', readUrl: 'postgres://replica/app' });
    expect(thrownMessage(() => validateEnv({ DATABASE_READ_URL: 'mysql://replica' }))).toContain(
      'DATABASE_READ_URL: DATABASE_READ_URL must be a postgres:// or postgresql:// URL',
    );
  });

  it('throws one error naming every invalid variable', () => {
    const message = thrownMessage(() => validateEnv({ PORT: 'abc', DATABASE_URL: 'mysql://x' }));
    expect(message).toMatch(/^Invalid configuration:/);
    expect(message).toContain('PORT');
    expect(message).toContain('DATABASE_URL: DATABASE_URL must be a postgres:// or postgresql:// URL');
  });

  it('lists several problems at once', () => {
    const message = thrownMessage(() =>
      validateEnv({
        PORT: '70000',
        WORKER_ENABLED: 'maybe',
        LOG_LEVEL: 'loud',
        BODY_LIMIT: '1gb',
        NODE_ENV: 'staging',
      }),
    );
    for (const name of ['PORT', 'WORKER_ENABLED', 'LOG_LEVEL', 'BODY_LIMIT', 'NODE_ENV']) {
      expect(message).toMatch(new RegExp(`- ${name}: `));
    }
    expect(message).not.toMatch(/- HOST: /);
  });

  it.each([
    ['WORKER_CONCURRENCY', '0'],
    ['WORKER_CONCURRENCY', '257'],
    ['TASK_MAX_ATTEMPTS', '1.5'],
    ['AGENT_TIMEOUT_MS', '99'],
    ['EXPIRY_SWEEP_MS', '999'],
    ['MAX_STREAMS_PER_TOKEN', '-1'],
    ['STREAM_WRITE_TIMEOUT_MS', '99'],
    ['STREAM_MAX_BUFFERED_BYTES', '1000'],
    ['STREAM_MEMORY_BUDGET_BYTES', '-1'],
    ['STREAM_MEMORY_SHARE_BYTES', '-1'],
    ['REVIEW_SEARCH_COMMON_MATCHES', '0'],
    ['REVIEW_SEARCH_PROBE_SESSIONS', '0'],
  ])('rejects %s=%s', (name, value) => {
    expect(() => validateEnv({ [name]: value })).toThrow(new RegExp(`- ${name}: `));
  });

  it('ignores unrelated variables', () => {
    expect(() => validateEnv({ PATH: '/usr/bin', HOME: '/root' })).not.toThrow();
  });
});

describe('AppConfig.fromEnv', () => {
  it('builds typed settings from defaults', () => {
    const config = AppConfig.fromEnv({});
    expect(config.env).toBe('development');
    expect(config.http).toEqual({
      host: '0.0.0.0',
      port: 3000,
      bodyLimit: '1mb',
      bodyLimitBytes: 1_048_576,
      rateLimitPerMinute: 6000,
      keepAliveTimeoutMs: 65_000,
      headersTimeoutMs: 66_000,
    });
    expect(AppConfig.fromEnv({ BODY_LIMIT: '512kb' }).http.bodyLimitBytes).toBe(524_288);
    expect(AppConfig.fromEnv({ BODY_LIMIT: '2048' }).http.bodyLimitBytes).toBe(2048);
    expect(config.database).toEqual({
      url: undefined,
      listenUrl: undefined,
      migrateUrl: undefined,
      listenerCheckMs: 5000,
      notifyCoalesceMs: 2,
      appendBatchMax: 32,
      poolMax: 10,
      migrateOnStart: true,
      embedded: { dir: '.data/postgres', port: 54329 },
    });
    expect(config.logLevel).toBe('info');
    expect(config.agents).toEqual({
      file: undefined,
      defaultAgentId: 'echo',
      historyWindow: 20,
      timeoutMs: 30_000,
      secrets: {},
    });
    expect(config.modelPrices).toEqual({});
    expect(config.worker).toEqual({
      enabled: true,
      concurrency: 8,
      pollMs: 1000,
      leaseMs: 30_000,
      maxAttempts: 3,
      waitTimeoutMs: 30_000,
      expirySweepMs: 60_000,
      shutdownGraceMs: 10_000,
    });
  });

  it('keeps secrets agents may name, and parses the model price table', () => {
    const config = AppConfig.fromEnv({
      OPENAI_API_KEY: 'sk-1',
      OTHER: 'x',
      MODEL_PRICES: '{"m": {"prompt": 1, "completion": 2}}',
    });
    expect(config.agents.secrets).toEqual({ OPENAI_API_KEY: 'sk-1' });
    expect(config.modelPrices).toEqual({ m: { prompt: 1, completion: 2 } });
    expect(() => AppConfig.fromEnv({ MODEL_PRICES: '{"m": {"prompt": -1}}' })).toThrow(/MODEL_PRICES/);
    expect(() => AppConfig.fromEnv({ MODEL_PRICES: 'not json' })).toThrow(/MODEL_PRICES/);
  });

  it('maps parsed variables into the right sections', () => {
    const config = AppConfig.fromEnv({
      NODE_ENV: 'production',
      PORT: '4000',
      DATABASE_URL: 'postgres://db/app',
      MIGRATE_ON_START: 'false',
      WORKER_ENABLED: 'false',
      AGENTS_FILE: 'agents.json',
      TASK_LEASE_MS: '1500',
      MAX_STREAMS_PER_TOKEN: '3',
      STREAM_WRITE_TIMEOUT_MS: '5000',
      STREAM_MAX_BUFFERED_BYTES: '1048576',
      STREAM_MEMORY_BUDGET_BYTES: '0',
      WS_PING_INTERVAL_MS: '5000',
      REVIEW_SEARCH_COMMON_MATCHES: '50',
      REVIEW_SEARCH_PROBE_SESSIONS: '7',
    });
    expect(config.review).toEqual({ commonMatches: 50, probeSessions: 7 });
    expect(config.streams).toEqual({
      maxPerToken: 3,
      writeTimeoutMs: 5000,
      maxBufferedBytes: 1_048_576,
      memoryBudgetBytes: 0,
      memoryShareBytes: 0,
      pingIntervalMs: 5000,
    });
    expect(config.env).toBe('production');
    expect(config.http.port).toBe(4000);
    expect(config.database.url).toBe('postgres://db/app');
    expect(config.database.migrateOnStart).toBe(false);
    expect(config.worker.enabled).toBe(false);
    expect(config.worker.leaseMs).toBe(1500);
    expect(config.agents.file).toBe('agents.json');
  });

  it("keeps connections past a proxy's keep-alive by default, and the headers timeout above it", () => {
    expect(AppConfig.fromEnv({}).http).toMatchObject({ keepAliveTimeoutMs: 65_000, headersTimeoutMs: 66_000 });
    expect(AppConfig.fromEnv({ HTTP_KEEPALIVE_TIMEOUT_MS: '1500' }).http.headersTimeoutMs).toBe(2500);
    const message = thrownMessage(() =>
      AppConfig.fromEnv({ HTTP_KEEPALIVE_TIMEOUT_MS: '70000', HTTP_HEADERS_TIMEOUT_MS: '70000' }),
    );
    expect(message).toMatch(/- HTTP_HEADERS_TIMEOUT_MS: must be greater than HTTP_KEEPALIVE_TIMEOUT_MS/);
  });

  it("gives each token a quarter of the streams' memory budget unless told otherwise, never more than all of it", () => {
    expect(AppConfig.fromEnv({}).streams).toMatchObject({ memoryBudgetBytes: 16_777_216, memoryShareBytes: 4_194_304 });
    expect(AppConfig.fromEnv({ STREAM_MEMORY_BUDGET_BYTES: '1000001' }).streams.memoryShareBytes).toBe(250_000);
    const set = AppConfig.fromEnv({ STREAM_MEMORY_BUDGET_BYTES: '1000', STREAM_MEMORY_SHARE_BYTES: '1000' });
    expect(set.streams.memoryShareBytes).toBe(1000);
    expect(AppConfig.fromEnv({ STREAM_MEMORY_SHARE_BYTES: '0' }).streams.memoryShareBytes).toBe(0);
    expect(
      AppConfig.fromEnv({ STREAM_MEMORY_BUDGET_BYTES: '0', STREAM_MEMORY_SHARE_BYTES: '5' }).streams,
    ).toMatchObject({
      memoryBudgetBytes: 0,
      memoryShareBytes: 5,
    });
    const message = thrownMessage(() =>
      AppConfig.fromEnv({ STREAM_MEMORY_BUDGET_BYTES: '1000', STREAM_MEMORY_SHARE_BYTES: '1001' }),
    );
    expect(message).toMatch(
      /^Invalid configuration:\n {2}- STREAM_MEMORY_SHARE_BYTES: must not exceed STREAM_MEMORY_BUDGET_BYTES \(1000\)$/,
    );
  });

  it('reads TRUST_PROXY as a hop count or a list of proxies', () => {
    expect(AppConfig.fromEnv({}).http.trustProxy).toBeUndefined();
    expect(AppConfig.fromEnv({ TRUST_PROXY: '1' }).http.trustProxy).toBe(1);
    expect(AppConfig.fromEnv({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).http.trustProxy).toBe('loopback, 10.0.0.0/8');
    expect(thrownMessage(() => AppConfig.fromEnv({ TRUST_PROXY: 'a b' }))).toMatch(/- TRUST_PROXY: /);
  });

  it('shares rate limits through Redis only when REDIS_URL is set', () => {
    expect(AppConfig.fromEnv({}).redis).toEqual({ url: undefined, keyPrefix: 'agent-sessions:' });
    expect(AppConfig.fromEnv({ REDIS_URL: 'rediss://:pw@cache:6380/1' }).redis.url).toBe('rediss://:pw@cache:6380/1');
    expect(thrownMessage(() => AppConfig.fromEnv({ REDIS_URL: 'http://cache' }))).toMatch(
      /- REDIS_URL: REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/,
    );
  });

  it('throws the validation error for bad input', () => {
    const message = thrownMessage(() => AppConfig.fromEnv({ PORT: 'abc', DATABASE_URL: 'mysql://x' }));
    expect(message).toMatch(/- PORT: /);
    expect(message).toMatch(/- DATABASE_URL: /);
  });
});
