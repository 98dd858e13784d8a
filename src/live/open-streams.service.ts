import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { MetricsService } from '../platform/metrics/metrics.service.js';

/**
 * The event streams this instance is serving. They never end by themselves, so on shutdown they are ended
 * (clients reconnect with Last-Event-ID to another instance) instead of holding the HTTP server open.
 */
@Injectable()
export class OpenStreams implements BeforeApplicationShutdown {
  private readonly open = new Set<Response>();

  constructor(metrics: MetricsService) {
    metrics.gauge('sse_streams_open', 'Server-Sent Event streams this instance is serving', [], (set) => set(this.open.size));
  }

  track(res: Response): void {
    this.open.add(res);
    res.once('close', () => this.open.delete(res));
  }

  get size(): number {
    return this.open.size;
  }

  beforeApplicationShutdown(): void {
    for (const res of this.open) res.end();
    this.open.clear();
  }
}
