import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { MetricsService } from '../metrics/metrics.service.js';
import { AppConfig } from '../config/app-config.js';
import { Errors } from '../errors/domain-error.js';
import { guardWrites, StreamWriter } from './stream-writer.js';

interface OpenStream {
  owner: string;
  writer: StreamWriter;
}

/**
 * The long-lived responses (event streams, exports) this instance is serving, by owner (a token). Each owner
 * may hold `MAX_STREAMS_PER_TOKEN` at once; every one is written through a StreamWriter, so a client that stops
 * reading costs a bounded amount of memory and is disconnected. They never end by themselves, so on shutdown
 * they are ended (clients reconnect with Last-Event-ID to another instance) instead of holding the server open.
 */
@Injectable()
export class OpenStreams implements BeforeApplicationShutdown {
  private readonly open = new Map<Response, OpenStream>();
  private readonly perOwner = new Map<string, number>();

  constructor(
    private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    metrics.gauge('sse_streams_open', 'Streams and exports this instance is serving', [], (set) => set(this.open.size));
  }

  /** Takes one of the owner's slots until `res` closes; 429 when they are all in use. Call before any write. */
  claim(owner: string, res: Response): StreamWriter {
    const max = this.config.streams.maxPerToken;
    const held = this.perOwner.get(owner) ?? 0;
    if (max > 0 && held >= max) throw Errors.tooManyStreams(max);
    const writer = new StreamWriter(res, this.config.streams);
    this.open.set(res, { owner, writer });
    this.perOwner.set(owner, held + 1);
    res.once('close', () => this.release(res));
    return writer;
  }

  /** A slot for a response some other code writes (without awaiting its writes): same cap, same limits. */
  claimUnmanaged(owner: string, res: Response): void {
    this.claim(owner, res);
    guardWrites(res, this.config.streams);
  }

  get size(): number {
    return this.open.size;
  }

  /** Bytes written to open streams that their clients have not taken yet. */
  get bufferedBytes(): number {
    let total = 0;
    for (const { writer } of this.open.values()) total += writer.bufferedBytes;
    return total;
  }

  beforeApplicationShutdown(): void {
    for (const res of this.open.keys()) res.end();
    this.open.clear();
    this.perOwner.clear();
  }

  private release(res: Response): void {
    const stream = this.open.get(res);
    if (!stream) return;
    this.open.delete(res);
    const held = (this.perOwner.get(stream.owner) ?? 1) - 1;
    if (held > 0) this.perOwner.set(stream.owner, held);
    else this.perOwner.delete(stream.owner);
  }
}
