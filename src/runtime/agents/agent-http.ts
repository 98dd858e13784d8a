import { EventSourceParserStream, type EventSourceMessage } from 'eventsource-parser/stream';
import { currentTraceCarrier } from '../../platform/telemetry/tracing.js';
import { AgentError } from './agent.interface.js';

export interface AgentRequest {
  url: string;
  body: unknown;
  headers?: Record<string, string>;
  signal: AbortSignal;
  stream?: boolean;
}

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * POSTs JSON to an agent back end. Network failures, timeouts of the single attempt and 408/429/5xx answers
 * are transient (the worker retries them with backoff); other 4xx answers are not.
 */
export async function postToAgent(request: AgentRequest): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(request.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: request.stream ? 'text/event-stream, application/json' : 'application/json',
        ...currentTraceCarrier(), // while tracing: the back end's spans join this trace (W3C trace context)
        ...request.headers,
      },
      body: JSON.stringify(request.body),
      signal: request.signal,
    });
  } catch (error) {
    if (request.signal.aborted) throw error;
    throw new AgentError(`agent back end unreachable: ${(error as Error).message}`, true);
  }
  if (!res.ok) {
    const detail = (await res.text().catch(() => '')).slice(0, 300);
    throw new AgentError(
      `agent back end answered ${res.status}${detail ? `: ${detail}` : ''}`,
      RETRYABLE_STATUS.has(res.status),
    );
  }
  return res;
}

export function isEventStream(res: Response): boolean {
  return res.headers.get('content-type')?.includes('text/event-stream') ?? false;
}

/** The messages of a Server-Sent Events response, parsed by eventsource-parser. */
export async function* sseMessages(res: Response): AsyncGenerator<EventSourceMessage> {
  if (!res.body) return;
  const reader = res.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

export function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new AgentError(`${what} is not valid JSON`);
  }
}
