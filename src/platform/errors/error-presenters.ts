import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { ErrorBody } from './error-body.js';

/** An error as a protocol other than the service's own JSON wants it on the wire. */
export interface PresentedError {
  status: number;
  body: unknown;
}

/** Renders an error body for the requests it recognizes (undefined: not one of its requests). */
export type ErrorPresenter = (error: ErrorBody, req: Request) => PresentedError | undefined;

/**
 * Lets a module that speaks another protocol on some paths (A2A's JSON-RPC) shape the errors the one exception
 * filter answers there, including errors raised before routing (body parsing, authentication, rate limits).
 */
@Injectable()
export class ErrorPresenters {
  private readonly presenters: ErrorPresenter[] = [];

  register(presenter: ErrorPresenter): void {
    this.presenters.push(presenter);
  }

  present(error: ErrorBody, req: Request): PresentedError | undefined {
    for (const presenter of this.presenters) {
      const presented = presenter(error, req);
      if (presented) return presented;
    }
    return undefined;
  }
}
