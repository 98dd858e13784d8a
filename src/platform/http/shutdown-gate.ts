import { Injectable, OnModuleDestroy } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { errorBody } from '../errors/error-body.js';

/**
 * Graceful shutdown, step one: once shutdown begins, new requests get a JSON 503 with Retry-After (and the
 * connection is closed) while running tasks finish or are handed back and the pool closes.
 */
@Injectable()
export class ShutdownGate implements OnModuleDestroy {
  private closing = false;

  onModuleDestroy(): void {
    this.closing = true;
  }

  /** Shutdown has begun (WebSocket upgrades, which never pass the middleware, ask this). */
  get isClosing(): boolean {
    return this.closing;
  }

  readonly middleware = (_req: Request, res: Response, next: NextFunction): void => {
    if (!this.closing) return next();
    res.setHeader('Connection', 'close');
    res.setHeader('Retry-After', '1');
    res.status(503).json(errorBody(503, 'service/shutting_down', 'this instance is shutting down; retry'));
  };
}
