export interface SseMessage {
  event: string;
  id?: string;
  data: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface SseOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: unknown;
  /** stop reading once this holds for the messages received so far */
  until?: (messages: SseMessage[]) => boolean;
  timeoutMs?: number;
  /** called for each message, e.g. to trigger writes once the stream is live */
  onMessage?: (message: SseMessage, all: SseMessage[]) => void | Promise<void>;
}

export interface SseResult {
  status: number;
  contentType: string | null;
  messages: SseMessage[];
  ended: boolean;
}

function parseBlock(block: string): SseMessage | undefined {
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':') || line === '') continue;
    const [field, ...rest] = line.split(':');
    const value = rest.join(':').replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'id') id = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return undefined;
  return { event, id, data: JSON.parse(data.join('\n')) };
}

/** A minimal Server-Sent Events client over fetch (EventSource cannot send an Authorization header). */
export async function readSse(url: string, options: SseOptions = {}): Promise<SseResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 10_000);
  const res = await fetch(url, {
    method: options.method ?? 'GET',
    headers: {
      Accept: 'text/event-stream',
      ...(options.body ? { 'Content-Type': 'application/json' } : {}),
      ...options.headers,
    },
    body: options.body ? JSON.stringify(options.body) : undefined,
    signal: controller.signal,
  });
  const messages: SseMessage[] = [];
  let ended = false;
  try {
    if (!res.body || !res.headers.get('content-type')?.includes('text/event-stream')) {
      return {
        status: res.status,
        contentType: res.headers.get('content-type'),
        messages: [(await res.json()) as SseMessage],
        ended: true,
      };
    }
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        ended = true;
        break;
      }
      buffer += value;
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const message = parseBlock(buffer.slice(0, cut));
        buffer = buffer.slice(cut + 2);
        if (!message) continue;
        messages.push(message);
        await options.onMessage?.(message, messages);
      }
      if (options.until?.(messages)) break;
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return { status: res.status, contentType: res.headers.get('content-type'), messages, ended };
}
