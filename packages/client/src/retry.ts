export interface RetryOptions {
  /** attempts after the first (default 3) */
  retries?: number;
  /** first back-off delay (default 200 ms), doubled each attempt with full jitter */
  minDelayMs?: number;
  /** longest back-off delay, also the cap on a server's Retry-After (default 5000 ms) */
  maxDelayMs?: number;
}

type FetchLike = (request: Request) => Promise<Response>;

const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);

/**
 * POSTs that are safe to repeat: the service deduplicates them by a key in the body (an event's `id`, a turn's
 * `turnId`), they are idempotent by nature (reset, compaction, heartbeat, by-key), or a lost answer only costs a
 * lease that expires (claim). Other POSTs (open a session, revert, steps, cancel) are retried only when the
 * connection was refused, i.e. when the request certainly never reached the service.
 */
const SAFE_POSTS = [
  /\/v1\/sessions\/[^/]+\/events$/,
  /\/v1\/tasks\/[^/]+\/events$/,
  /\/v1\/sessions\/[^/]+\/turns$/,
  /\/v1\/sessions\/[^/]+\/history\/(reset|compaction)$/,
  /\/v1\/tasks\/[^/]+\/(heartbeat|result)$/,
  /\/v1\/agents\/[^/]+\/tasks\/claim$/,
];

export function isRetrySafe(method: string, url: string): boolean {
  if (method !== 'POST') return true;
  const path = new URL(url).pathname;
  return SAFE_POSTS.some((pattern) => pattern.test(path));
}

function refused(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code === 'ECONNREFUSED';
}

function retryAfterMs(response: Response): number | undefined {
  const header = response.headers.get('retry-after');
  const seconds = header === null ? NaN : Number(header);
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

export function backoff(attempt: number, options: RetryOptions): number {
  const min = options.minDelayMs ?? 200;
  const max = options.maxDelayMs ?? 5000;
  return Math.random() * Math.min(max, min * 2 ** attempt);
}

const sleep = (ms: number, signal?: AbortSignal | null): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/** Wraps fetch: 5xx, 429 and network errors are retried with back-off, for requests safe to repeat (above). */
export function retryingFetch(inner: FetchLike, options: RetryOptions = {}): FetchLike {
  const retries = options.retries ?? 3;
  return async (request) => {
    const safe = isRetrySafe(request.method, request.url);
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= retries || request.signal?.aborted;
      try {
        const response = await inner(request.clone());
        if (last || !safe || !RETRY_STATUSES.has(response.status)) return response;
        const wait = Math.min(retryAfterMs(response) ?? backoff(attempt, options), options.maxDelayMs ?? 5000);
        await response.body?.cancel();
        await sleep(wait, request.signal);
      } catch (error) {
        if (last || request.signal?.aborted || !(safe || refused(error))) throw error;
        await sleep(backoff(attempt, options), request.signal);
      }
    }
  };
}
