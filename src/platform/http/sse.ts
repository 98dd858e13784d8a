import type { Response } from 'express';

export const HEARTBEAT_MS = 15_000;

/** Starts a Server-Sent Events response and keeps proxies from buffering it or timing it out. */
export function openSse(res: Response, status = 200): () => void {
  res.status(status);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  // A stream is never reused for another request: closing the socket when it ends lets shutdown finish at once.
  res.shouldKeepAlive = false;
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  res.write('retry: 2000\n\n');
  const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  return () => clearInterval(heartbeat);
}

/** Writes one SSE message; `id` becomes the client's Last-Event-ID for resuming. */
export function writeSse(res: Response, event: string, data: unknown, id?: number | string): void {
  if (res.writableEnded) return;
  let message = `event: ${event}\n`;
  if (id !== undefined) message += `id: ${id}\n`;
  for (const line of JSON.stringify(data).split('\n')) message += `data: ${line}\n`;
  res.write(`${message}\n`);
}

/** Resolves when the client goes away (or the response ends). */
export function whenClosed(res: Response): Promise<void> {
  return new Promise((resolve) => {
    if (res.writableEnded || res.destroyed) return resolve();
    res.once('close', () => resolve());
  });
}
