import type { Response } from 'express';
import type { StreamWriter } from './stream-writer.js';

export const HEARTBEAT_MS = 15_000;

/** A Server-Sent Events response written at its client's pace (see StreamWriter). */
export interface SseStream {
  /**
   * Sends one message; `id` becomes the client's Last-Event-ID for resuming. Await it to read no further
   * ahead than the client; resolves false once the connection is gone.
   */
  send(event: string, data: unknown, id?: number | string): Promise<boolean>;
  /** Like send, with the data already as JSON text (in pieces, see StreamWriter.write). */
  sendJson(event: string, json: readonly string[], id?: number | string): Promise<boolean>;
  /** Resolves when the client goes away (or the response ends). */
  readonly closed: Promise<void>;
  /** Ends the response once everything queued is written. */
  end(): Promise<void>;
}

/** Starts a Server-Sent Events response and keeps proxies from buffering it or timing it out. */
export function openSse(res: Response, writer: StreamWriter, status = 200): SseStream {
  res.status(status);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  // A stream is never reused for another request: closing the socket when it ends lets shutdown finish at once.
  res.shouldKeepAlive = false;
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  void writer.write('retry: 2000\n\n');
  // A heartbeat only matters while nothing else is on its way to the client.
  const heartbeat = setInterval(() => writer.busy || void writer.write(': heartbeat\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  void writer.closed.then(() => clearInterval(heartbeat));
  return {
    send: (event, data, id) => writer.write(formatSse(event, [JSON.stringify(data)], id)),
    sendJson: (event, json, id) => writer.write(formatSse(event, json, id)),
    closed: writer.closed,
    end: async () => {
      clearInterval(heartbeat);
      await writer.end();
    },
  };
}

/** JSON escapes CR and LF inside strings and has none between tokens: the data is one line, its pieces kept apart. */
function formatSse(event: string, json: readonly string[], id?: number | string): string[] {
  return [`event: ${event}\n${id === undefined ? '' : `id: ${id}\n`}data: `, ...json, '\n\n'];
}
