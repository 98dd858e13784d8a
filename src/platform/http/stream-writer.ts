import { Logger } from '@nestjs/common';
import type { Response } from 'express';

export interface StreamLimits {
  /** a write the client has not taken within this time closes the connection */
  writeTimeoutMs: number;
  /** bytes written or queued but not yet taken by the client; a write beyond closes the connection */
  maxBufferedBytes: number;
}

const logger = new Logger('Streams');

/**
 * Writes a long-lived response (an event stream, an export) at the pace its client reads. Writes go out one at
 * a time in order; each resolves once its bytes are in the socket and the socket's buffer has drained, so a
 * producer that awaits them reads no further ahead than one write. Writes nobody awaits (notifications,
 * deltas) wait in a queue counted against `maxBufferedBytes`. A client that stops reading is disconnected
 * after `writeTimeoutMs`, or at once when the queue would pass the budget; its memory is then freed.
 */
export class StreamWriter {
  private queuedBytes = 0;
  private tail: Promise<boolean> = Promise.resolve(true);
  readonly closed: Promise<void>;

  constructor(
    private readonly res: Response,
    private readonly limits: StreamLimits,
  ) {
    this.closed = new Promise((resolve) => {
      if (res.destroyed) resolve();
      else res.once('close', () => resolve());
    });
  }

  get isOpen(): boolean {
    return !this.res.writableEnded && !this.res.destroyed;
  }

  /** Bytes accepted but not yet taken by the client: queued here, or buffered by Node. */
  get bufferedBytes(): number {
    return this.queuedBytes + this.res.writableLength;
  }

  /** True while earlier writes are still waiting for the client (a heartbeat then adds nothing). */
  get busy(): boolean {
    return this.bufferedBytes > 0;
  }

  /** Queues a chunk; resolves true once the client has taken it (or it fits the socket buffer), false once closed. */
  write(chunk: string): Promise<boolean> {
    if (!this.isOpen) return Promise.resolve(false);
    const size = Buffer.byteLength(chunk);
    // One write may exceed the budget on its own (a big event); the budget bounds what piles up behind it.
    if (this.busy && this.bufferedBytes + size > this.limits.maxBufferedBytes) {
      this.abort(`more than ${this.limits.maxBufferedBytes} bytes waiting for the client`);
      return Promise.resolve(false);
    }
    this.queuedBytes += size;
    this.tail = this.tail.then((open) => {
      this.queuedBytes -= size;
      return open && this.isOpen ? this.send(chunk) : false;
    });
    return this.tail;
  }

  /** Ends the response after every queued write. */
  async end(): Promise<void> {
    if (await this.tail) this.res.end();
  }

  /** Closes the connection at once, dropping what is queued. */
  abort(reason: string): void {
    if (this.res.destroyed) return;
    logger.warn(`closing a stream whose client is not reading: ${reason}`);
    this.res.destroy();
  }

  private send(chunk: string): Promise<boolean> {
    try {
      if (this.res.write(chunk)) return Promise.resolve(true);
    } catch {
      return Promise.resolve(false);
    }
    return this.drained();
  }

  private drained(): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (open: boolean) => {
        clearTimeout(timer);
        this.res.off('drain', onDrain);
        this.res.off('close', onClose);
        resolve(open);
      };
      const onDrain = () => done(true);
      const onClose = () => done(false);
      const timer = setTimeout(() => {
        this.abort(`a write was not taken within ${this.limits.writeTimeoutMs} ms`);
        done(false);
      }, this.limits.writeTimeoutMs);
      this.res.on('drain', onDrain);
      this.res.on('close', onClose);
    });
  }
}

/**
 * The same limits for a response written by code that does not await its writes (a library's SSE handler):
 * a client that leaves more than `maxBufferedBytes` unread, or takes no write within `writeTimeoutMs`, is
 * disconnected, so what it does not read cannot pile up in memory.
 */
export function guardWrites(res: Response, limits: StreamLimits): void {
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  let timer: NodeJS.Timeout | undefined;
  const stop = (reason: string) => {
    if (res.destroyed) return;
    logger.warn(`closing a stream whose client is not reading: ${reason}`);
    res.destroy();
  };
  const clear = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  res.on('drain', clear);
  res.once('close', clear);
  res.write = ((...args: unknown[]) => {
    const taken = write(...args);
    if (res.writableLength > limits.maxBufferedBytes) {
      stop(`more than ${limits.maxBufferedBytes} bytes waiting for the client`);
    } else if (!taken && !timer) {
      timer = setTimeout(() => stop(`a write was not taken within ${limits.writeTimeoutMs} ms`), limits.writeTimeoutMs);
    }
    return taken;
  }) as Response['write'];
}
