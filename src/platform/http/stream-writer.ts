import { Logger } from '@nestjs/common';
import type { Response } from 'express';

export interface StreamLimits {
  /** a write the client has not taken within this time closes the connection */
  writeTimeoutMs: number;
  /** bytes written or queued but not yet taken by the client; a write beyond closes the connection */
  maxBufferedBytes: number;
}

const logger = new Logger('Streams');

/** Where a StreamWriter writes: an HTTP response (`responseTarget`) or a WebSocket (live/socket). */
export interface StreamTarget {
  readonly isOpen: boolean;
  /** bytes handed to the target that its client has not taken yet */
  readonly bufferedBytes: number;
  /** hands a chunk over (a text, or its UTF-8 bytes); false when the target's buffer is full, so the next write waits for it to drain */
  write(chunk: string | Buffer): boolean;
  /** calls `listener` once: true when the buffer has drained, false when the target closed; returns an unsubscribe */
  onceDrained(listener: (open: boolean) => void): () => void;
  onceClosed(listener: () => void): void;
  /** ends the stream normally (an HTTP response ends; a socket closes as "going away") */
  end(): void;
  /** drops the connection at once */
  destroy(): void;
}

/** An HTTP response as a StreamTarget. */
export function responseTarget(res: Response): StreamTarget {
  return {
    get isOpen() {
      return !res.writableEnded && !res.destroyed;
    },
    get bufferedBytes() {
      return res.writableLength;
    },
    write: (chunk) => res.write(chunk),
    onceDrained: (listener) => {
      const off = () => {
        res.off('drain', onDrain);
        res.off('close', onClose);
      };
      const onDrain = () => (off(), listener(true));
      const onClose = () => (off(), listener(false));
      res.on('drain', onDrain);
      res.on('close', onClose);
      return off;
    },
    onceClosed: (listener) => (res.destroyed ? listener() : void res.once('close', listener)),
    end: () => res.end(),
    destroy: () => res.destroy(),
  };
}

/**
 * Writes a long-lived response (an event stream, an export, a WebSocket) at the pace its client reads. Writes go out one at
 * a time in order; each resolves once its bytes are in the socket and the socket's buffer has drained, so a
 * producer that awaits them reads no further ahead than one write. Writes nobody awaits (notifications,
 * deltas) wait in a queue counted against `maxBufferedBytes`. A client that stops reading is disconnected
 * after `writeTimeoutMs`, or at once when the queue would pass the budget; its memory is then freed.
 */
export class StreamWriter {
  private queuedBytes = 0;
  private tail: Promise<boolean> = Promise.resolve(true);
  readonly closed: Promise<void>;
  readonly target: StreamTarget;

  constructor(
    out: Response | StreamTarget,
    private readonly limits: StreamLimits,
  ) {
    this.target = 'onceDrained' in out ? out : responseTarget(out);
    this.closed = new Promise((resolve) => this.target.onceClosed(resolve));
  }

  get isOpen(): boolean {
    return this.target.isOpen;
  }

  /** Bytes accepted but not yet taken by the client: queued here, or buffered by Node. */
  get bufferedBytes(): number {
    return this.queuedBytes + this.target.bufferedBytes;
  }

  /** True while earlier writes are still waiting for the client (a heartbeat then adds nothing). */
  get busy(): boolean {
    return this.bufferedBytes > 0;
  }

  /**
   * Queues a chunk (a text, or the pieces of one); resolves true once the client has taken it (or it fits the
   * socket buffer), false once closed.
   */
  write(text: string | readonly string[]): Promise<boolean> {
    if (!this.isOpen) return Promise.resolve(false);
    const pieces = typeof text === 'string' ? [text] : text;
    const size = pieces.reduce((sum, piece) => sum + Buffer.byteLength(piece), 0);
    // One write may exceed the budget on its own (a big event); the budget bounds what piles up behind it.
    if (this.busy && this.bufferedBytes + size > this.limits.maxBufferedBytes) {
      this.abort(`more than ${this.limits.maxBufferedBytes} bytes waiting for the client`);
      return Promise.resolve(false);
    }
    const chunk = encode(pieces, size);
    this.queuedBytes += size;
    this.tail = this.tail.then((open) => {
      this.queuedBytes -= size;
      return open && this.isOpen ? this.send(chunk) : false;
    });
    return this.tail;
  }

  /** Ends the response after every queued write. */
  async end(): Promise<void> {
    if (await this.tail) this.target.end();
  }

  /** Closes the connection at once, dropping what is queued. */
  abort(reason: string): void {
    if (!this.target.isOpen) return;
    logger.warn(`closing a stream whose client is not reading: ${reason}`);
    this.target.destroy();
  }

  private send(chunk: string | Buffer): Promise<boolean> {
    try {
      if (this.target.write(chunk)) return Promise.resolve(true);
    } catch {
      return Promise.resolve(false);
    }
    return this.drained();
  }

  private drained(): Promise<boolean> {
    return new Promise((resolve) => {
      const off = this.target.onceDrained((open) => {
        clearTimeout(timer);
        resolve(open);
      });
      const timer = setTimeout(() => {
        off();
        this.abort(`a write was not taken within ${this.limits.writeTimeoutMs} ms`);
        resolve(false);
      }, this.limits.writeTimeoutMs);
    });
  }
}

/** Chunks from this size on go to the socket as bytes (see encode). */
const BUFFER_FROM_BYTES = 16 * 1024;

/**
 * One chunk of `pieces`: a string when small, else a Buffer written from the pieces directly. A socket that
 * cannot take a string at once keeps it and its encoded copy until written; given bytes, it keeps only those,
 * and the pieces (often slices of a bigger text) are never joined into another string first.
 */
function encode(pieces: readonly string[], size: number): string | Buffer {
  if (size < BUFFER_FROM_BYTES) return pieces.length === 1 ? pieces[0] : pieces.join('');
  const bytes = Buffer.allocUnsafe(size);
  let at = 0;
  for (const piece of pieces) at += bytes.write(piece, at);
  return bytes;
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
