import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { MetricsService } from '../metrics/metrics.service.js';
import { AppConfig } from '../config/app-config.js';
import { Errors } from '../errors/domain-error.js';
import { guardWrites, StreamWriter, type StreamTarget } from './stream-writer.js';

interface OpenStream {
  owner: string;
  writer: StreamWriter;
}

/**
 * The long-lived responses (event streams, exports, WebSockets) this instance is serving, by owner (a token). Each owner
 * may hold `MAX_STREAMS_PER_TOKEN` at once; every one is written through a StreamWriter, so a client that stops
 * reading costs a bounded amount of memory and is disconnected. They never end by themselves, so on shutdown
 * they are ended (clients reconnect with Last-Event-ID to another instance) instead of holding the server open.
 */
@Injectable()
export class OpenStreams implements BeforeApplicationShutdown {
  private readonly open = new Map<StreamWriter, OpenStream>();
  private readonly perOwner = new Map<string, number>();

  constructor(
    private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    metrics.gauge('sse_streams_open', 'Streams and exports this instance is serving', [], (set) => set(this.open.size));
  }

  /** Takes one of the owner's slots until `out` closes; 429 when they are all in use. Call before any write. */
  claim(owner: string, out: Response | StreamTarget): StreamWriter {
    this.assertRoom(owner);
    const writer = new StreamWriter(out, this.config.streams);
    this.open.set(writer, { owner, writer });
    this.perOwner.set(owner, (this.perOwner.get(owner) ?? 0) + 1);
    void writer.closed.then(() => this.release(writer));
    return writer;
  }

  /** 429 when the owner holds all its slots (for a WebSocket, checked before the upgrade answers). */
  assertRoom(owner: string): void {
    const max = this.config.streams.maxPerToken;
    if (max > 0 && (this.perOwner.get(owner) ?? 0) >= max) throw Errors.tooManyStreams(max);
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
    for (const writer of this.open.keys()) writer.target.end();
    this.open.clear();
    this.perOwner.clear();
  }

  private release(writer: StreamWriter): void {
    const stream = this.open.get(writer);
    if (!stream) return;
    this.open.delete(writer);
    const held = (this.perOwner.get(stream.owner) ?? 1) - 1;
    if (held > 0) this.perOwner.set(stream.owner, held);
    else this.perOwner.delete(stream.owner);
  }
}
