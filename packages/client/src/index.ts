export { AgentSessionClient, type AgentSessionClientOptions } from './client.js';
export { ApiError, isApiError, type ErrorBody } from './errors.js';
export { retryingFetch, isRetrySafe, type RetryOptions } from './retry.js';
export { followSession, type StreamOptions } from './sse.js';
export { PullWorker, type PullWorkerOptions, type TaskHandler, type WorkContext } from './worker.js';
export type * from './types.js';
export type { paths, components, operations } from './generated/api.js';
