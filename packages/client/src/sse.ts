import { EventSourceParserStream } from 'eventsource-parser/stream';
import { ApiError } from './errors.js';
import type { StreamMessage } from './types.js';

export interface StreamOptions {
  /** replay the events after this seq first (default 0: the whole history) */
  after?: number;
  signal?: AbortSignal;
  /** reconnect after a dropped connection, resuming after the last seq seen (default true) */
  reconnect?: boolean;
  /** delay before a reconnect (default 1000 ms) */
  reconnectDelayMs?: number;
}

export type OpenStream = (sessionId: string, lastSeq: number, signal?: AbortSignal) => Promise<Response>;

async function* messagesOf(response: Response): AsyncGenerator<StreamMessage> {
  if (!response.body) return;
  const stream = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
  for await (const message of stream) {
    yield { event: message.event ?? 'message', id: message.id, data: JSON.parse(message.data) as unknown };
  }
}

/**
 * A session's events as they are committed, over Server-Sent Events: first the stored ones after `after`, then
 * new ones. A dropped connection is reopened with `Last-Event-ID` = the last seq received, so nothing is missed or
 * repeated. Ends when the signal aborts (or the server ends the stream and `reconnect` is false).
 */
export async function* followSession(
  open: OpenStream,
  sessionId: string,
  options: StreamOptions = {},
): AsyncGenerator<StreamMessage> {
  let lastSeq = options.after ?? 0;
  const reconnect = options.reconnect ?? true;
  while (!options.signal?.aborted) {
    let response: Response;
    try {
      response = await open(sessionId, lastSeq, options.signal);
    } catch (error) {
      if (options.signal?.aborted || !reconnect) return;
      if (error instanceof ApiError && error.status < 500 && error.status !== 429) throw error;
      await pause(options.reconnectDelayMs ?? 1000, options.signal);
      continue;
    }
    try {
      for await (const message of messagesOf(response)) {
        if (message.event === 'session.event' && message.id) lastSeq = Number(message.id);
        yield message;
      }
    } catch (error) {
      if (options.signal?.aborted) return;
      if (!reconnect) throw error;
    }
    if (!reconnect) return;
    await pause(options.reconnectDelayMs ?? 1000, options.signal);
  }
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}
